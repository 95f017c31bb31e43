/* Sortable tables, as a progressive enhancement: every table reads in full without JavaScript; with it,
 * each column heading becomes a button that sorts the rows (again to reverse), announced through
 * aria-sort. Numbers (36.4%, 12 天, 1,234) sort as numbers, dates as dates, Chinese text by pinyin. */
(function () {
  "use strict";
  var NUMBER = /^[-+]?[\d,]*\.?\d+\s*(%|天|个|次)?$/;

  function key(cell) {
    var text = (cell.textContent || "").trim();
    if (NUMBER.test(text)) return { n: parseFloat(text.replace(/,/g, "")) };
    return { s: text };
  }

  function compare(a, b) {
    if (a.n !== undefined && b.n !== undefined) return a.n - b.n;
    if (a.n !== undefined) return -1;  // numbers before text (such as "—")
    if (b.n !== undefined) return 1;
    return a.s.localeCompare(b.s, "zh-CN");
  }

  function sortBy(table, column, button) {
    var th = button.parentNode;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      return { row: row, key: key(row.cells[column] || row.cells[0]), index: index };
    });
    rows.sort(function (a, b) { return (ascending ? 1 : -1) * compare(a.key, b.key) || a.index - b.index; });
    rows.forEach(function (item) { body.appendChild(item.row); });
  }

  /* On a phone each row becomes a card (portal.css, table[data-labelled]): every cell carries its column's
   * heading, so no fact needs sideways scrolling to be read. An attribute, not a class: Material styles
   * only tables without a class (table:not([class])), and on a wider screen these keep its look. */
  function label(table) {
    // the generator labels its own tables (_macros.j2): writing them again would lay the page out again
    if (table.hasAttribute("data-labelled") || !table.tHead || !table.tBodies.length) return;
    var headings = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.textContent.trim(); });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, i) { if (headings[i]) cell.dataset.label = headings[i]; });
    });
    table.setAttribute("data-labelled", "");
  }
  window.rcLabelTable = label;

  function enhance(table) {
    label(table);
    if (table.dataset.sortable || !table.tHead || !table.tBodies.length || table.tBodies[0].rows.length < 2) return;
    table.dataset.sortable = "1";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rc-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      button.title = "按此列排序";
      button.addEventListener("click", function () { sortBy(table, column, button); });
      th.appendChild(button);
    });
  }

  window.rcOnPage(function () {
    document.querySelectorAll("article table").forEach(enhance);
  });
})();
