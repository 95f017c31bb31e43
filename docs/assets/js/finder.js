/* The problem finder: filters one compact JSON index, loaded only on the finder page. Every text from
 * the ledger is put in the page with textContent, never as HTML. The filters live in the address, so a
 * search can be shared as a link. */
(function () {
  "use strict";
  var LIMIT = 200;
  var STATUS = { not_started: "未启动", in_progress: "整改中", overdue: "逾期", done: "已完成待销号", closed: "已销号", rebound: "反弹" };
  var LIGHT = { red: "红灯", yellow: "黄灯", green: "绿灯" };
  var LIGHT_ORDER = { red: 0, yellow: 1, green: 2 };
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

  function matches(p, filters, data) {
    if (filters.department && data.departments[p[2]][0] !== filters.department) return false;
    if (filters.category && data.categories[p[3]][0] !== filters.category) return false;
    if (filters.status && p[4] !== filters.status) return false;
    if (filters.light && p[5] !== filters.light) return false;
    if (filters.supervision === "any" && p[6] === "none") return false;
    if (filters.supervision && filters.supervision !== "any" && p[6] !== filters.supervision) return false;
    if (filters.q) {
      var hay = (p[0] + " " + p[1] + " " + data.departments[p[2]][2] + " " + data.categories[p[3]][1]).toLowerCase();
      var words = filters.q.toLowerCase().split(/\s+/).filter(Boolean);
      for (var i = 0; i < words.length; i++) if (hay.indexOf(words[i]) < 0) return false;
    }
    return true;
  }

  function render(form, data) {
    var filters = {};
    new FormData(form).forEach(function (value, key) { filters[key] = String(value).trim(); });
    var found = data.problems.filter(function (p) { return matches(p, filters, data); });
    found.sort(function (a, b) {
      return (LIGHT_ORDER[a[5]] - LIGHT_ORDER[b[5]]) || (a[8] < b[8] ? -1 : a[8] > b[8] ? 1 : 0) || (a[0] < b[0] ? -1 : 1);
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
      light.appendChild(el("span", "rc-light rc-light--" + p[5], LIGHT[p[5]]));
      tr.appendChild(light);
      var idCell = el("td");
      var link = el("a", null, p[0]);
      link.href = "../problems/" + encodeURIComponent(p[0]) + "/";
      idCell.appendChild(link);
      tr.appendChild(idCell);
      tr.appendChild(el("td", null, p[1]));
      tr.appendChild(el("td", null, data.departments[p[2]][1]));
      var status = el("td");
      status.appendChild(el("span", "rc-status rc-status--" + p[4], STATUS[p[4]]));
      tr.appendChild(status);
      tr.appendChild(el("td", "rc-num", p[7] + "%"));
      tr.appendChild(el("td", null, p[8]));
      body.appendChild(tr);
    });
    table.appendChild(body);
    var wrap = el("div", "rc-scroll");
    wrap.appendChild(table);
    results.appendChild(wrap);
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
    load(new URL(form.dataset.finderSrc, window.location.href).href).then(function (data) {
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
