// The workspace's start-up script, loaded after htmx from this server
// (the Content-Security-Policy allows scripts from 'self' only). It keeps
// htmx from evaluating code out of attributes or swapped-in scripts and
// from injecting an inline style sheet, which the policy would refuse.
(function () {
  "use strict";
  if (window.htmx) {
    window.htmx.config.allowEval = false;
    window.htmx.config.allowScripts = false;
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.selfRequestsOnly = true;
  }
})();

// The overview's NPS trend: a line with its 95% interval as a band, drawn
// with ECharts from the JSON in data-trend. Weeks below the minimum n
// have no value and leave a gap. Without ECharts the table shows the numbers.
(function () {
  "use strict";
  var el = document.getElementById("nps-trend");
  if (!el || !window.echarts) {
    return;
  }
  var points;
  try {
    points = JSON.parse(el.getAttribute("data-trend") || "[]");
  } catch (e) {
    return;
  }
  if (!points.length) {
    return;
  }
  var weeks = points.map(function (p) { return p.week; });
  var lower = points.map(function (p) { return p.lower === null ? null : p.lower; });
  var band = points.map(function (p) { return p.lower === null ? null : p.upper - p.lower; });
  var value = points.map(function (p) { return p.value; });
  var chart = window.echarts.init(el);
  chart.setOption({
    animation: false,
    grid: { left: 40, right: 16, top: 16, bottom: 40 },
    tooltip: {
      trigger: "axis",
      formatter: function (items) {
        var p = points[items[0].dataIndex];
        var v = p.value === null ? "–" : p.value.toFixed(1) + " [" + p.lower.toFixed(1) + ", " + p.upper.toFixed(1) + "]";
        return p.week + ": " + v + " (n = " + p.n + ")";
      }
    },
    xAxis: { type: "category", data: weeks },
    yAxis: { type: "value", min: -100, max: 100 },
    series: [
      { type: "line", data: lower, stack: "ci", lineStyle: { opacity: 0 }, symbol: "none", connectNulls: false, silent: true },
      { name: el.getAttribute("data-label-band"), type: "line", data: band, stack: "ci", lineStyle: { opacity: 0 }, symbol: "none",
        areaStyle: { color: "rgba(11, 92, 173, 0.18)" }, connectNulls: false, silent: true },
      { name: el.getAttribute("data-label-nps"), type: "line", data: value, connectNulls: false, itemStyle: { color: "#0b5cad" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
