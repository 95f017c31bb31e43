/* The problem finder, the one place to look for a problem (the header's search box opens it too).
 *
 * Without a keyword it filters one compact JSON index of every problem (data/finder.json), loaded only on
 * this page. With a keyword it asks the full-text index (Pagefind, generator/publishing/search.py), which
 * covers every word of every problem page in Chinese word segmentation and downloads only the chunks the
 * words fall in, with the same filters (where the index is missing, as in the live preview, the keyword
 * is matched in the JSON index's ids, titles, departments and categories). Every text from the ledger is put in the page with textContent,
 * never as HTML; the index's excerpts are taken apart, keeping only the highlight. The filters live in the
 * address, so a search can be shared as a link. */
(function () {
  "use strict";
  var LIMIT = 200;  // rows shown from the JSON index
  var PAGE = 20;  // full-text results fetched at a time (one small file each)
  var WAIT = 250;  // ms after the last keystroke before a full-text query
  var cache = {};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function once(key, make) {
    if (!cache[key]) cache[key] = make();
    return cache[key];
  }

  function loadIndex(src) {
    return once(src, function () {
      return fetch(src, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (data) { return prepare(data, src); });
    });
  }

  function loadSearch(src) {
    return once(src, function () {
      return import(src).then(function (pagefind) {
        // on the page, not in Pagefind's web worker: searchAsWritten needs the page's Intl.Segmenter
        return pagefind.options({ noWorker: true }).then(function () { return pagefind.init(); })
          .then(function () { return pagefind; });
      });
    });
  }

  /* The index names its columns in `fields`, its labels in `statuses` and `lights`, and the problem
   * page address in `problem_url`: nothing about the data is written twice here. */
  function prepare(data, src) {
    var at = {};
    data.fields.forEach(function (name, i) { at[name] = i; });
    var order = {};
    Object.keys(data.lights).forEach(function (light, i) { order[light] = i; });
    data.at = at;
    data.lightOrder = order;
    data.urlOf = function (id) { return new URL(data.problem_url.replace("{id}", encodeURIComponent(id)), src).href; };
    return data;
  }

  function readFilters(form) {
    var filters = {};
    new FormData(form).forEach(function (value, key) { filters[key] = String(value).trim(); });
    return filters;
  }

  function matches(p, filters, data) {
    var at = data.at;
    var department = data.departments[p[at.department]], category = data.categories[p[at.category]];
    if (filters.department && department[0] !== filters.department) return false;
    if (filters.category && category[0] !== filters.category) return false;
    if (filters.status && p[at.status] !== filters.status) return false;
    if (filters.light && p[at.light] !== filters.light) return false;
    if (filters.supervision === "any" && p[at.supervision] === "none") return false;
    if (filters.supervision && filters.supervision !== "any" && p[at.supervision] !== filters.supervision) return false;
    if (filters.keyword) {  // only where the full-text index is missing (the live preview): a plainer match
      var hay = (p[at.id] + " " + p[at.title] + " " + department[2] + " " + category[1]).toLowerCase();
      var words = filters.keyword.toLowerCase().split(/\s+/).filter(Boolean);
      for (var i = 0; i < words.length; i++) if (hay.indexOf(words[i]) < 0) return false;
    }
    return true;
  }

  /* A label shown for a value, as the form's own options name it. */
  function optionLabel(form, name, value) {
    var select = form.elements[name];
    for (var i = 0; select && i < select.options.length; i++) {
      if (select.options[i].value === value) return select.options[i].textContent;
    }
    return value;
  }

  function table(headings) {
    var node = el("table", "rc-finder__table");
    var head = el("tr");
    headings.forEach(function (h) { head.appendChild(el("th", null, h)); });
    node.appendChild(el("thead")).appendChild(head);
    node.appendChild(el("tbody"));
    return node;
  }

  function show(page, node) {
    var results = page.querySelector(".rc-finder__results");
    results.textContent = "";
    if (!node) return;
    var wrap = el("div", "rc-scroll rc-table");
    wrap.appendChild(node);
    results.appendChild(wrap);
  }

  function label(node) {
    if (window.rcLabelTable) window.rcLabelTable(node);  // cards on a phone, like every other table
  }

  /* One row: light, id (a link), title (with the matching words under it), department, status, percent, deadline. */
  function row(form, p, href, excerpt) {
    var tr = el("tr");
    var light = el("td");
    light.appendChild(el("span", "rc-light rc-light--" + p.light, optionLabel(form, "light", p.light)));
    tr.appendChild(light);
    var idCell = el("td");
    var link = el("a", null, p.id);
    link.href = href;
    idCell.appendChild(link);
    tr.appendChild(idCell);
    var title = el("td", null, p.title);
    if (excerpt) title.appendChild(excerpt);
    tr.appendChild(title);
    tr.appendChild(el("td", null, p.department));
    var status = el("td");
    status.appendChild(el("span", "rc-status rc-status--" + p.status, optionLabel(form, "status", p.status)));
    tr.appendChild(status);
    tr.appendChild(el("td", "rc-num", p.percent + "%"));
    tr.appendChild(el("td", null, p.deadline));
    return tr;
  }

  var HEADINGS = ["亮灯", "编号", "问题", "牵头部门", "状态", "完成度", "完成时限"];

  function renderIndex(form, data, filters) {
    var at = data.at;
    var found = data.problems.filter(function (p) { return matches(p, filters, data); });
    found.sort(function (a, b) {
      return (data.lightOrder[a[at.light]] - data.lightOrder[b[at.light]]) ||
        (a[at.effective_deadline] < b[at.effective_deadline] ? -1 : a[at.effective_deadline] > b[at.effective_deadline] ? 1 : 0) || (a[at.id] < b[at.id] ? -1 : 1);
    });
    var page = form.parentNode;
    page.querySelector(".rc-finder__count").textContent = "找到 " + found.length + " 个问题" +
      (found.length > LIMIT ? "，显示前 " + LIMIT + " 个（请增加筛选条件）" : "") + "。" +
      (filters.keyword ? "全文检索索引未能载入，关键词只在编号、问题名称、部门和类别中查找。" : "");
    if (!found.length) { show(page, null); return; }
    var node = table(HEADINGS);
    var body = node.querySelector("tbody");
    found.slice(0, LIMIT).forEach(function (p) {
      body.appendChild(row(form, {
        light: p[at.light], id: p[at.id], title: p[at.title], department: data.departments[p[at.department]][1],
        status: p[at.status], percent: p[at.percent], deadline: p[at.effective_deadline]
      }, data.urlOf(p[at.id])));
    });
    show(page, node);
    label(node);
  }

  /* The excerpt Pagefind gives is HTML with <mark> around the words found; only the marks are kept, the
   * rest becomes text, so nothing from a ledger is ever read as markup. */
  function excerptOf(html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = el("span", "rc-finder__excerpt");
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") out.appendChild(el("mark", null, node.textContent));
      else out.appendChild(document.createTextNode(node.textContent));
    });
    return out;
  }

  /* Pagefind cuts a Chinese query into words with the browser's Intl.Segmenter, whose dictionary is not
   * the one the index was cut with: Chromium's cuts 回访 and 整改 into single characters, and a query for
   * 回访 then finds every page with any word starting with 回 and another with 访. So the query is first
   * asked as the reader wrote it (words split at spaces only), with the segmenter out of the way for that one
   * call (Pagefind runs on the page for this, not in its worker); only if that finds nothing is it asked again cut by the browser (a phrase such as 过度检查, which the
   * index holds as two words). */
  function searchAsWritten(pagefind, term, options) {
    var segmenter = Intl.Segmenter;
    Intl.Segmenter = undefined;
    var restore = function () { Intl.Segmenter = segmenter; };
    return pagefind.search(term, options).then(function (search) {
      restore();
      if (search.results.length || !segmenter) return search;
      return pagefind.search(term, options);
    }, function (error) { restore(); throw error; });
  }

  function searchFilters(form, filters) {
    var out = {};
    ["department", "category", "status", "light"].forEach(function (key) { if (filters[key]) out[key] = filters[key]; });
    if (filters.supervision === "any") {
      var levels = [];
      Array.prototype.forEach.call(form.elements.supervision.options, function (o) {
        if (o.value && o.value !== "any") levels.push(o.value);
      });
      out.supervision = { any: levels };
    } else if (filters.supervision) {
      out.supervision = filters.supervision;
    }
    return out;
  }

  function renderSearch(form, filters, token) {
    var page = form.parentNode;
    var count = page.querySelector(".rc-finder__count");
    count.textContent = "正在检索……";
    loadSearch(new URL(form.dataset.fulltextSrc, window.location.href).href).then(function (pagefind) {
      return searchAsWritten(pagefind, filters.keyword, { filters: searchFilters(form, filters) });
    }).then(function (search) {
      if (token !== form.rcToken) return;
      var results = search.results;
      var node = table(HEADINGS);
      var body = node.querySelector("tbody");
      var shown = 0;
      var more = el("button", "md-button rc-finder__more", "显示更多");
      more.type = "button";
      function next() {
        var batch = results.slice(shown, shown + PAGE);
        more.disabled = true;
        return Promise.all(batch.map(function (r) { return r.data(); })).then(function (pages) {
          if (token !== form.rcToken) return;
          pages.forEach(function (d) {
            var m = d.meta;
            body.appendChild(row(form, {
              light: m.light, id: m.id, title: m.title, department: optionLabel(form, "department", m.department),
              status: m.status, percent: m.percent, deadline: m.deadline
            }, form.dataset.problemUrl.replace("{id}", encodeURIComponent(m.id)), excerptOf(d.excerpt)));
          });
          shown += batch.length;
          count.textContent = "全文检索“" + filters.keyword + "”找到 " + results.length + " 个问题，按相关程度排列" +
            (results.length > shown ? "，已显示 " + shown + " 个" : "") + "。";
          more.disabled = false;
          more.hidden = shown >= results.length;
          label(node);
        });
      }
      if (!results.length) {
        count.textContent = "全文检索“" + filters.keyword + "”没有找到问题。可以换一个词，或减少筛选条件。";
        show(page, null);
        return;
      }
      show(page, node);
      more.addEventListener("click", next);
      page.querySelector(".rc-finder__results").appendChild(more);
      return next();
    }).catch(function () {
      if (token === form.rcToken) renderFromIndex(form, filters, token);  // no index (the live preview): the JSON
    });
  }

  function syncAddress(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value) params.set(key, value); });
    var query = params.toString();
    history.replaceState(history.state, "", window.location.pathname + (query ? "?" + query : ""));
    return query;
  }

  function update(form) {
    var query = syncAddress(form);
    if (query === form.rcShown) return;  // a change event after the input it follows: nothing new to show
    form.rcShown = query;
    var token = form.rcToken = (form.rcToken || 0) + 1;
    var filters = readFilters(form);
    if (filters.keyword) renderSearch(form, filters, token);
    else renderFromIndex(form, filters, token);
  }

  function renderFromIndex(form, filters, token) {
    loadIndex(new URL(form.dataset.finderSrc, window.location.href).href).then(function (data) {
      if (token === form.rcToken) renderIndex(form, data, filters);
    }).catch(function () {
      form.parentNode.querySelector(".rc-finder__count").textContent = "问题数据载入失败，请刷新页面重试，或到“数据下载”页面下载完整数据。";
    });
  }

  function start() {
    var form = document.querySelector(".rc-finder");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var params = new URLSearchParams(window.location.search);
    params.forEach(function (value, key) { if (form.elements[key]) form.elements[key].value = value; });
    var timer = null;
    form.addEventListener("input", function (event) {
      clearTimeout(timer);
      if (event.target.name === "keyword") timer = setTimeout(function () { update(form); }, WAIT);
      else update(form);
    });
    form.addEventListener("change", function () { clearTimeout(timer); update(form); });
    form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); update(form); });
    update(form);
  }

  window.rcOnPage(start);
})();
