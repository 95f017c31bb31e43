/* Draws the charts of a page with the site's own copy of plotly.js (loaded once, only on pages with a
 * chart), again after every instant navigation, and recolours them when the palette is toggled.
 * The chart's JSON sits in a <template>, not a <script>: instant navigation re-runs every script it swaps in.
 * Each chart's data table stays in the page: open without JavaScript, folded once the chart is drawn.
 * Charts have no mode bar (zoom, PNG download): the table and 数据下载 carry the data (see draw()). */
(function () {
  "use strict";
  var here = document.currentScript ? document.currentScript.src : window.location.href;
  var plotlyUrl = new URL("../vendor/plotly.min.js", here).href;
  /* plotly.js carries outside hosts in its defaults: cloud.plotly.com (plotlyServerURL: the "send to cloud"
   * button), cdn.plot.ly (topojsonURL: map outlines) and plotly.com (the logo link).
   * Readers in mainland China and on intranets cannot reach them, and the site must not ask: every one is
   * switched off or pointed at the site itself here, whatever the mode bar shows (tests/test_vendor.py). */
  var CONFIG = {
    displayModeBar: false,
    displaylogo: false,
    showSendToCloud: false,
    plotlyServerURL: "",
    topojsonURL: new URL("../vendor/topojson/", here).href,
    typesetMath: false,
    responsive: true
  };
  var loading = null;
  var FONT = "-apple-system, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif";

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = plotlyUrl;
        tag.async = true;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = function () { loading = null; reject(new Error("plotly.js 载入失败")); };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function colours() {
    var dark = document.body.getAttribute("data-md-color-scheme") === "slate";
    return {
      text: dark ? "#e3e5ea" : "#202124",
      grid: dark ? "rgba(255,255,255,0.14)" : "rgba(0,0,0,0.10)",
      hover: dark ? "#2e303e" : "#ffffff"
    };
  }

  function themeLayout(c) {
    return {
      "paper_bgcolor": "rgba(0,0,0,0)",
      "plot_bgcolor": "rgba(0,0,0,0)",
      "font.color": c.text,
      "xaxis.gridcolor": c.grid,
      "yaxis.gridcolor": c.grid,
      "xaxis.zerolinecolor": c.grid,
      "yaxis.zerolinecolor": c.grid,
      "hoverlabel.bgcolor": c.hover,
      "hoverlabel.font.color": c.text,
      "legend.font.color": c.text
    };
  }

  function baseLayout(layout) {
    var c = colours();
    var merged = Object.assign({
      autosize: true,
      separators: ".,",
      margin: { l: 48, r: 16, t: 16, b: 40 },
      hoverlabel: { font: { family: FONT } },
      legend: {}
    }, layout);
    merged.margin = Object.assign({ l: 48, r: 16, t: 16, b: 40 }, layout.margin || {});
    merged.font = Object.assign({ family: FONT, size: 13 }, layout.font || {});
    merged.xaxis = Object.assign({ automargin: true }, layout.xaxis || {});
    merged.yaxis = Object.assign({ automargin: true }, layout.yaxis || {});
    merged.paper_bgcolor = "rgba(0,0,0,0)";
    merged.plot_bgcolor = "rgba(0,0,0,0)";
    merged.font.color = c.text;
    merged.xaxis.gridcolor = c.grid;
    merged.yaxis.gridcolor = c.grid;
    merged.legend = Object.assign({}, merged.legend, { font: { color: c.text } });
    return merged;
  }

  function draw(root) {
    var figures = root.querySelectorAll(".rc-chart:not(.is-drawn)");
    if (!figures.length) return;
    loadPlotly().then(function (Plotly) {
      figures.forEach(function (figure) {
        var plot = figure.querySelector(".rc-chart__plot");
        var spec = JSON.parse(figure.querySelector(".rc-chart__spec").content.textContent);
        // No mode bar: its buttons sat inside the plot, which is one image to assistive technology
        // (role="img", axe nested-interactive), and their tooltips are English. What they offered stays:
        // the numbers in the table under each chart, the problems themselves on 数据下载 (CSV, XLSX).
        Plotly.newPlot(plot, spec.data, baseLayout(spec.layout || {}), CONFIG).then(function () {
          figure.classList.add("is-drawn");
          var table = figure.querySelector(".rc-chart__table");
          if (table && !figure.hasAttribute("data-keep-table")) table.open = false;
        });
      });
    }).catch(function () { /* the tables stay open: the data is still there */ });
  }

  function recolour() {
    if (!window.Plotly) return;
    var update = themeLayout(colours());
    document.querySelectorAll(".rc-chart.is-drawn .rc-chart__plot").forEach(function (plot) {
      window.Plotly.relayout(plot, update);
    });
  }

  function start() { draw(document); }
  window.rcOnPage(start);
  new MutationObserver(recolour).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
})();
