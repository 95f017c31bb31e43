/* The problem finder, the one place to look for a problem (the header's search box opens it too).
 *
 * Without a keyword it filters one compact JSON index of every problem (data/finder.json), loaded only on
 * this page. With a keyword it asks the full-text index (Pagefind, generator/publishing/search.py, in shards
 * merged here), which covers every word of every problem page in Chinese word segmentation and downloads
 * only the chunks the words fall in, with the same filters; Pagefind's matches are loose (by the beginnings
 * of words, and by single characters where the browser cuts Chinese so), so each page it finds is read and
 * kept only if its text says the reader's words as written (a run of Chinese characters as one phrase).
 * Where no page does, the finder says so, and may list the nearest pages apart, labelled as such. Where the
 * index is missing, as in the live preview, the keyword is matched in the JSON index's ids, titles,
 * departments and categories. Every text from the ledger is put in the page with textContent, never as
 * HTML. The filters live in the address, so a search can be shared as a link. */
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

  /* The full-text index is cut into shards, each a Pagefind bundle (generator/publishing/search.py), listed
   * in bundles.json beside Pagefind's script: the first is searched, the others merged into it. */
  function loadSearch(src) {
    return once(src, function () {
      var manifest = new URL("bundles.json", src).href;
      var bundles = fetch(manifest, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (list) {
        if (!list.length) throw new Error("no bundle");
        return list.map(function (folder) { return new URL(folder, manifest).href; });
      });
      return Promise.all([import(src), bundles]).then(function (both) {
        var pagefind = both[0], folders = both[1];
        // on the page, not in Pagefind's web worker: searchAsWritten needs the page's Intl.Segmenter
        return pagefind.options({ noWorker: true, basePath: folders[0] }).then(function () { return pagefind.init(); })
          .then(function () {
            return Promise.all(folders.slice(1).map(function (folder) { return pagefind.mergeIndex(folder); }));
          })
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
      var hay = [p[at.id], p[at.title], department[2], category[1]].join(" | ");
      if (!says(hay, wordsOf(filters.keyword), filters.match === "any")) return false;
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
    var title = el("td");
    title.appendChild(typeof p.title === "string" ? document.createTextNode(p.title) : p.title);
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

  /* The reader's words, split at spaces (quotation marks dropped). Each is looked for as written: a run of
   * Chinese characters is one phrase, never cut into characters. */
  function wordsOf(keyword) {
    return keyword.replace(/["“”]/g, " ").split(/\s+/).filter(Boolean);
  }

  function plain(text) { return text.replace(/\s+/g, "").toLowerCase(); }

  /* Whether a text says every one of the words (or, when the reader asks for any, one of them), spaces aside. */
  function says(text, words, any) {
    var hay = plain(text);
    var has = function (word) { return hay.indexOf(plain(word)) >= 0; };
    return any ? words.some(has) : words.every(has);
  }

  /* The text with every occurrence of the words in <mark>, built as nodes: nothing from a ledger is read as markup. */
  function marked(className, text, words) {
    var out = el("span", className);
    var lower = text.toLowerCase();
    var at = 0;
    while (at < text.length) {
      var next = -1, length = 0;
      words.forEach(function (word) {
        var i = lower.indexOf(word.toLowerCase(), at);
        if (i >= 0 && (next < 0 || i < next || (i === next && word.length > length))) { next = i; length = word.length; }
      });
      if (next < 0) break;
      if (next > at) out.appendChild(document.createTextNode(text.slice(at, next)));
      out.appendChild(el("mark", null, text.slice(next, next + length)));
      at = next + length;
    }
    if (at < text.length) out.appendChild(document.createTextNode(text.slice(at)));
    return out;
  }

  var AROUND = 60;  // characters of an excerpt around the first word found

  /* One sentence of the page that says the words, cut around them at a clause if it is long. Pagefind's own
   * excerpt is a window of words across the page's blocks, joined with ". " (so "-002. 部分公立医院…");
   * here the page's text is taken apart at those joins and at the ends of sentences, and the id and title,
   * shown beside it already, are not repeated. */
  function excerptOf(content, words, shown) {
    var pieces = content.split(/\.\s+|\s·\s|(?<=[。！？；])/).map(function (piece) { return piece.trim(); });
    var piece = pieces.filter(function (text) {
      return text && shown.indexOf(text) < 0 && says(text, words, true);
    })[0];
    if (!piece) return null;
    var lower = piece.toLowerCase(), first = piece.length;
    words.forEach(function (word) { var i = lower.indexOf(word.toLowerCase()); if (i >= 0 && i < first) first = i; });
    if (piece.length > 2 * AROUND && first < piece.length) {
      var from = Math.max(0, first - AROUND / 2), to = Math.min(piece.length, first + AROUND * 1.5);
      var clause = piece.slice(from, first).search(/[，、：（][^，、：（]*$/);
      if (from > 0 && clause >= 0) from += clause + 1;
      piece = (from > 0 ? "…" : "") + piece.slice(from, to) + (to < piece.length ? "…" : "");
    }
    return marked("rc-finder__excerpt", piece, words);
  }

  /* The pages Pagefind finds for each word, asked twice: as written (the segmenter out of the way for that one
   * call, as the index may hold the word whole) and cut by the browser's Intl.Segmenter (whose dictionary is
   * not the index's: Chromium cuts 回访 into single characters, 过度检查 into two words). Both are loose, as
   * Pagefind matches words by their beginnings and, cut, a word by its characters; together they hold every
   * page that says the word, and `checker` keeps only those that do. As written, the word is asked first in
   * quotation marks, which only a shard whose index holds it whole answers, and loosely only where none does:
   * asked loosely, a shard without the word answers with every page that shares its beginning (each DAA-…
   * page for DAA-2024-001), which one index of every page, holding the word, would not, and each is read. */
  function candidates(pagefind, words, options) {
    var segmenter = Intl.Segmenter;
    var asked = [];
    words.forEach(function (word) { asked.push([word, false]); if (segmenter) asked.push([word, true]); });
    var seen = {}, found = [];
    function ask(term, cut) {
      if (!cut) Intl.Segmenter = undefined;
      return pagefind.search(term, options).then(function (search) {
        Intl.Segmenter = segmenter;
        return search.results;
      }, function (error) { Intl.Segmenter = segmenter; throw error; });
    }
    return asked.reduce(function (chain, word) {
      return chain.then(function () {
        return (word[1] ? ask(word[0], true) : ask("\"" + word[0] + "\"", false).then(function (whole) {
          return whole.length ? whole : ask(word[0], false);
        }));
      }).then(function (results) {
        results.forEach(function (r) { if (!seen[r.id]) { seen[r.id] = true; found.push(r); } });
      });
    }, Promise.resolve()).then(function () { return found; });
  }

  var CHECKED = 500;  // candidates read at most for one query; the count says so when there were more
  var AT_ONCE = 20;  // fragments fetched together

  /* The candidates' pages that say the words, in Pagefind's order, read a batch of small fragments at a time
   * and only as far as is asked: `upTo(n)` reads on until n pages say them or no candidate is left. */
  function checker(found, words, any) {
    var read = 0, last = Math.min(found.length, CHECKED);
    var said = { pages: [], done: last === 0, partly: found.length > CHECKED };
    said.upTo = function (wanted) {
      if (said.pages.length >= wanted || said.done) return Promise.resolve(said.pages);
      var batch = found.slice(read, Math.min(read + AT_ONCE, last));
      read += batch.length;
      return Promise.all(batch.map(function (r) { return r.data(); })).then(function (data) {
        data.forEach(function (d) { if (says(d.content, words, any)) said.pages.push(d); });
        said.done = read >= last;
        return said.upTo(wanted);
      });
    };
    return said;
  }

  /* Where no page says the words, the nearest: the pages that say every longer word (two characters or
   * more) the browser cuts them into, such as 医院 for 县医院. None when the words cannot be cut. */
  function nearest(pagefind, words, options) {
    if (!Intl.Segmenter) return Promise.resolve({ words: [], pages: [] });
    var parts = [];
    var segmenter = new Intl.Segmenter("zh", { granularity: "word" });
    words.forEach(function (word) {
      Array.from(segmenter.segment(word)).forEach(function (s) {
        if (s.isWordLike && s.segment.length > 1 && words.indexOf(s.segment) < 0 && parts.indexOf(s.segment) < 0) parts.push(s.segment);
      });
    });
    if (!parts.length) return Promise.resolve({ words: [], pages: [] });
    return candidates(pagefind, parts, options).then(function (found) { return checker(found, parts, false).upTo(SUGGESTED); })
      .then(function (pages) { return { words: parts, pages: pages.slice(0, SUGGESTED) }; });
  }

  var SUGGESTED = 10;

  function suggest(form, page, keyword, near) {
    var box = el("div", "rc-finder__nearest");
    box.appendChild(el("p", "rc-finder__nearest-label", "以下问题不包含“" + keyword + "”，只包含其中的“" + near.words.join("”“") +
      "”，不是检索结果，仅供参考（" + near.pages.length + " 个）："));
    var list = el("ul");
    near.pages.forEach(function (d) {
      var item = el("li");
      var link = el("a", null, d.meta.id);
      link.href = form.dataset.problemUrl.replace("{id}", encodeURIComponent(d.meta.id));
      item.appendChild(link);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(marked(null, d.meta.title, near.words));
      list.appendChild(item);
    });
    box.appendChild(list);
    page.querySelector(".rc-finder__results").appendChild(box);
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
    var words = wordsOf(filters.keyword), any = filters.match === "any";
    var options = { filters: searchFilters(form, filters) };
    var pagefind, said;
    count.textContent = "正在检索……";
    loadSearch(new URL(form.dataset.fulltextSrc, window.location.href).href).then(function (loaded) {
      pagefind = loaded;
      return candidates(pagefind, words, options);
    }).then(function (found) {
      said = checker(found, words, any);
      return said.upTo(PAGE);
    }).then(function (pages) {
      if (token !== form.rcToken) return;
      var asked = "“" + words.join(" ") + "”" + (words.length > 1 ? (any ? "（任一词）" : "（全部词）") : "");
      var partly = function () {
        return said.partly ? "（只查看了相关程度最高的 " + CHECKED + " 个问题，请增加关键词或筛选条件）" : "";
      };
      if (!pages.length) {  // the count is the last thing written, once the nearest pages are known
        var none = words.length === 1 ? nearest(pagefind, words, options) : Promise.resolve({ pages: [] });
        return none.then(function (near) {
          if (token !== form.rcToken) return;
          show(page, null);
          if (near.pages.length) suggest(form, page, words[0], near);
          count.textContent = "没有问题包含" + asked + partly() + "。可以换一个词，或减少筛选条件。";
        });
      }
      var node = table(HEADINGS);
      var body = node.querySelector("tbody");
      var shown = 0;
      var more = el("button", "md-button rc-finder__more", "显示更多");
      more.type = "button";
      function next() {
        more.disabled = true;
        return said.upTo(shown + PAGE + 1).then(function () {  // one more than shown: whether there are more
          if (token !== form.rcToken) return;
          said.pages.slice(shown, shown + PAGE).forEach(function (d) {
            var m = d.meta;
            var excerpt = excerptOf(d.content, words, [m.id, m.title]);
            body.appendChild(row(form, {
              light: m.light, id: m.id, title: marked(null, m.title, words), department: optionLabel(form, "department", m.department),
              status: m.status, percent: m.percent, deadline: m.deadline
            }, form.dataset.problemUrl.replace("{id}", encodeURIComponent(m.id)), excerpt));
          });
          shown = Math.min(said.pages.length, shown + PAGE);
          var rest = said.pages.length > shown;
          count.textContent = "全文检索" + asked + (said.done ? "找到 " + said.pages.length + " 个问题" + partly() + "，按相关程度排列" +
            (rest ? "，已显示 " + shown + " 个" : "") : "的结果按相关程度排列，已显示 " + shown + " 个，还有更多") + "。";
          more.disabled = false;
          more.hidden = !rest;
          label(node);
        });
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
    params.forEach(function (value, key) {
      var field = form.elements[key];
      if (field && field.type === "checkbox") field.checked = field.value === value;
      else if (field) field.value = value;
    });
    // the five filter boxes: open beside the results on a wide screen; on a phone folded under the keyword,
    // so the results come first, unless the address sets one (a shared link shows what it filters)
    var filters = form.querySelector(".rc-finder__filters");
    var chosen = Array.prototype.some.call(filters.querySelectorAll("select"), function (select) { return select.value; });
    filters.open = chosen || window.matchMedia("(min-width: 45em)").matches;
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
