/* Draws the charts of a page with the site's own copy of plotly.js, again after every instant navigation,
 * and recolours them when the palette is toggled. plotly.js (about 400 KB gzipped) is loaded only on a page
 * with a chart, and only once a chart is on the screen or, after the reader scrolls, near it (see AHEAD): a
 * reader who never scrolls to a chart never downloads it, and the page is ready without it.
 * The chart's JSON sits in a <template>, not a <script>: instant navigation re-runs every script it swaps in.
 * Each chart's data table stays in the page: open without JavaScript and until the chart is drawn, folded once
 * it is. Charts have no mode bar (zoom, PNG download): the table and 数据下载 carry the data (see draw()). */
(function () {
  "use strict";
  var here = document.currentScript ? document.currentScript.src : window.location.href;
  var plotlyUrl = new URL("../vendor/plotly.min.js", here).href;
  /* plotly.js's defaults name outside hosts (its company's servers) for the "send to cloud" button
   * (plotlyServerURL), map outlines (topojsonURL) and the logo link (displaylogo).
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
  /* Chinese for plotly.js itself: month and day names on date axes and in hover labels, its few messages.
   * Names and messages are those of plotly.js's own lib/locales/zh-cn.js (v4.1), limited to the bar, pie and
   * scatter traces of the partial bundle; the formats it leaves to English (a month, a day of the month, the
   * separators) are written as Chinese readers write them. */
  var ZH_CN = {
    moduleType: "locale",
    name: "zh-CN",
    dictionary: {
      "Autoscale": "自动缩放",
      "Box Select": "矩形框选",
      "Click to enter Plot title": "点击输入图表的标题",
      "Click to enter X axis title": "点击输入X轴的标题",
      "Click to enter Y axis title": "点击输入Y轴的标题",
      "Compare data on hover": "悬停时比较数据",
      "Double-click on legend to isolate one trace": "双击图例来突显对应轨迹",
      "Double-click to zoom back out": "双击返回缩小显示",
      "Download plot as a png": "下载图表为PNG格式",
      "Download plot": "下载图表",
      "Lasso Select": "套索选择",
      "Pan": "平移",
      "Reset": "重置",
      "Reset axes": "重置轴",
      "Show closest data on hover": "悬停时显示最近的数据",
      "Snapshot succeeded": "生成快照成功",
      "Sorry, there was a problem downloading your snapshot!": "抱歉，下载快照出现问题！",
      "Taking snapshot - this may take a few seconds": "正在生成快照 - 可能需要几秒钟",
      "Toggle Spike Lines": "切换显示数据点辅助线(Spike Lines)",
      "Toggle show closest data on hover": "切换悬停时显示最近的数据点",
      "Zoom": "缩放",
      "Zoom in": "放大",
      "Zoom out": "缩小",
      "new text": "新建文本",
      "trace": "踪迹:"
    },
    format: {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
      shortMonths: ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"],
      date: "%Y-%m-%d",
      periods: ["上午", "下午"],
      decimal: ".",
      thousands: ",",
      grouping: [3],
      year: "%Y年",
      month: "%Y年%-m月",
      dayMonth: "%-m月%-d日",
      dayMonthYear: "%Y年%-m月%-d日"
    }
  };
  CONFIG.locale = ZH_CN.name;
  /* When a page opens, only a chart on the screen is drawn: the first seconds go to what the reader sees
   * (plotly.js takes a few hundred milliseconds of a phone's processor to start). Once the reader scrolls,
   * a chart is drawn when it comes within AHEAD of the screen, so that it is usually there on arrival. */
  var AHEAD = "300px 0px";
  var loading = null;
  var watching = null;
  var FONT = "-apple-system, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif";

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = plotlyUrl;
        tag.async = true;
        tag.onload = function () {
          window.Plotly.register(ZH_CN);
          resolve(window.Plotly);
        };
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

  /* How many month labels fit across a chart `width` pixels wide: "2025年10月" is about 70 px at 13 px, and
   * labels stay upright (charts.py sets tickangle 0), so plotly must not be asked for more than fit. */
  function dateTicks(width) {
    return Math.max(2, Math.floor((width - 80) / 85));
  }

  function baseLayout(layout, width) {
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
    // plotly.js writes a hovered day as "9月30日, 2025年" (day and month, then the year): one date, in order
    [merged.xaxis, merged.yaxis].forEach(function (axis) {
      if (axis.type === "date" && !axis.hoverformat) axis.hoverformat = ZH_CN.format.dayMonthYear;
      if (axis.type === "date" && axis.tickmode !== "array") axis.nticks = Math.min(axis.nticks || 12, dateTicks(width));
    });
    merged.paper_bgcolor = "rgba(0,0,0,0)";
    merged.plot_bgcolor = "rgba(0,0,0,0)";
    merged.font.color = c.text;
    merged.xaxis.gridcolor = c.grid;
    merged.yaxis.gridcolor = c.grid;
    merged.legend = Object.assign({}, merged.legend, { font: { color: c.text } });
    return merged;
  }

  function draw(figures) {
    loadPlotly().then(function (Plotly) {
      figures.forEach(function (figure) {
        var plot = figure.querySelector(".rc-chart__plot");
        var spec = JSON.parse(figure.querySelector(".rc-chart__spec").content.textContent);
        // No mode bar: its buttons sat inside the plot, which is one image to assistive technology
        // (role="img", axe nested-interactive), and their tooltips are English. What they offered stays:
        // the numbers in the table under each chart, the problems themselves on 数据下载 (CSV, XLSX).
        Plotly.newPlot(plot, spec.data, baseLayout(spec.layout || {}, plot.clientWidth), CONFIG).then(function () {
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

  /* Watch the page's charts and draw each as it comes near the screen. A chart of the previous page
   * (instant navigation) is gone with it: its observer is dropped. */
  function watch(margin) {
    if (watching) { watching.disconnect(); watching = null; }
    var figures = Array.prototype.slice.call(document.querySelectorAll(".rc-chart:not(.is-drawn):not(.is-due)"));
    if (!figures.length) return;
    if (!("IntersectionObserver" in window)) { draw(figures); return; }
    watching = new IntersectionObserver(function (entries, observer) {
      var near = entries.filter(function (entry) { return entry.isIntersecting; })
        .map(function (entry) { return entry.target; });
      near.forEach(function (figure) { observer.unobserve(figure); figure.classList.add("is-due"); });
      if (near.length) draw(near);
    }, { rootMargin: margin });
    figures.forEach(function (figure) { watching.observe(figure); });
  }

  function lookAhead() { watch(AHEAD); }

  function start() {
    window.removeEventListener("scroll", lookAhead);
    watch("0px");
    window.addEventListener("scroll", lookAhead, { passive: true, once: true });
  }

  window.rcOnPage(start);
  new MutationObserver(recolour).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
})();
