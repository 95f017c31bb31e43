/* The problem finder: filters one compact JSON index, loaded only on the finder page. Every text from
 * the ledger is put in the page with textContent, never as HTML. The filters live in the address, so a
 * search can be shared as a link. */
(function () {
  "use strict";
  var LIMIT = 200;
  var cache = {};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function load(src) {
    if (!cache[src]) {
      cache[src] = fetch(src, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
    }
    return cache[src];
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

  function matches(p, filters, data) {
    var at = data.at;
    var department = data.departments[p[at.department]], category = data.categories[p[at.category]];
    if (filters.department && department[0] !== filters.department) return false;
    if (filters.category && category[0] !== filters.category) return false;
    if (filters.status && p[at.status] !== filters.status) return false;
    if (filters.light && p[at.light] !== filters.light) return false;
    if (filters.supervision === "any" && p[at.supervision] === "none") return false;
    if (filters.supervision && filters.supervision !== "any" && p[at.supervision] !== filters.supervision) return false;
    if (filters.keyword) {
      var hay = (p[at.id] + " " + p[at.title] + " " + department[2] + " " + category[1]).toLowerCase();
      var words = filters.keyword.toLowerCase().split(/\s+/).filter(Boolean);
      for (var i = 0; i < words.length; i++) if (hay.indexOf(words[i]) < 0) return false;
    }
    return true;
  }

  function render(form, data) {
    var filters = {};
    new FormData(form).forEach(function (value, key) { filters[key] = String(value).trim(); });
    var at = data.at;
    var found = data.problems.filter(function (p) { return matches(p, filters, data); });
    found.sort(function (a, b) {
      return (data.lightOrder[a[at.light]] - data.lightOrder[b[at.light]]) ||
        (a[at.effective_deadline] < b[at.effective_deadline] ? -1 : a[at.effective_deadline] > b[at.effective_deadline] ? 1 : 0) || (a[at.id] < b[at.id] ? -1 : 1);
    });
    var page = form.parentNode;
    var count = page.querySelector(".rc-finder__count");
    count.textContent = "找到 " + found.length + " 个问题" + (found.length > LIMIT ? "，显示前 " + LIMIT + " 个（请增加筛选条件）" : "") + "。";
    var results = page.querySelector(".rc-finder__results");
    results.textContent = "";
    if (!found.length) return;
    var table = el("table", "rc-finder__table");
    var head = el("tr");
    ["亮灯", "编号", "问题", "牵头部门", "状态", "完成度", "完成时限"].forEach(function (h) { head.appendChild(el("th", null, h)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    found.slice(0, LIMIT).forEach(function (p) {
      var tr = el("tr");
      var light = el("td");
      light.appendChild(el("span", "rc-light rc-light--" + p[at.light], data.lights[p[at.light]]));
      tr.appendChild(light);
      var idCell = el("td");
      var link = el("a", null, p[at.id]);
      link.href = data.urlOf(p[at.id]);
      idCell.appendChild(link);
      tr.appendChild(idCell);
      tr.appendChild(el("td", null, p[at.title]));
      tr.appendChild(el("td", null, data.departments[p[at.department]][1]));
      var status = el("td");
      status.appendChild(el("span", "rc-status rc-status--" + p[at.status], data.statuses[p[at.status]]));
      tr.appendChild(status);
      tr.appendChild(el("td", "rc-num", p[at.percent] + "%"));
      tr.appendChild(el("td", null, p[at.effective_deadline]));
      body.appendChild(tr);
    });
    table.appendChild(body);
    var wrap = el("div", "rc-scroll rc-table");
    wrap.appendChild(table);
    results.appendChild(wrap);
    if (window.rcLabelTable) window.rcLabelTable(table);  // cards on a phone, like every other table
  }

  function syncAddress(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value) params.set(key, value); });
    var query = params.toString();
    history.replaceState(history.state, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function start() {
    var form = document.querySelector(".rc-finder");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var params = new URLSearchParams(window.location.search);
    params.forEach(function (value, key) { if (form.elements[key]) form.elements[key].value = value; });
    var src = new URL(form.dataset.finderSrc, window.location.href).href;
    load(src).then(function (raw) {
      var data = raw.at ? raw : prepare(raw, src);
      var update = function () { render(form, data); syncAddress(form); };
      form.addEventListener("input", update);
      form.addEventListener("change", update);
      form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
      render(form, data);
    }).catch(function () {
      form.parentNode.querySelector(".rc-finder__count").textContent = "问题数据载入失败，请刷新页面重试，或到“数据下载”页面下载完整数据。";
    });
  }

  window.rcOnPage(start);
})();
