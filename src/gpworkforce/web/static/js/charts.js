// Draw every Plotly chart whose figure JSON is embedded in the page (see the plotly_chart macro):
// <div data-plotly-figure="ID-data"> + <script type="application/json" id="ID-data">.
// JSON data blocks are not executed, so this works under the CSP without inline scripts.
// "Download chart as PNG" buttons (<button data-chart-download="ID" data-filename="...">, in a
// hidden <p class="app-chart__actions">, shown once this script runs) call Plotly's own export,
// so it works from the keyboard too; the PNG holds the chart's title and its subtitle
// (organisation, data dates, source: web/chart_credit.py).
(function () {
  "use strict";
  var config = { responsive: true, displaylogo: false };

  function draw(root) {
    var nodes = (root || document).querySelectorAll("[data-plotly-figure]");
    Array.prototype.forEach.call(nodes, function (el) {
      if (el.getAttribute("data-plotly-drawn")) { return; }
      var source = document.getElementById(el.getAttribute("data-plotly-figure"));
      if (!source || typeof window.Plotly === "undefined") { return; }
      var fig = JSON.parse(source.textContent);
      el.setAttribute("data-plotly-drawn", "pending");
      window.Plotly.newPlot(el, fig.data || [], fig.layout || {}, Object.assign({}, config, fig.config || {}))
        .then(function () { el.setAttribute("data-plotly-drawn", "true"); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });

  // Printing: redraw every chart for the paper's width (static/css/print.css caps it), and for
  // the screen again afterwards, so no chart drawn for a wide screen is cut off on paper.
  function fitAll() {
    if (typeof window.Plotly === "undefined") { return; }
    var nodes = document.querySelectorAll('[data-plotly-drawn="true"]');
    Array.prototype.forEach.call(nodes, function (el) { window.Plotly.Plots.resize(el); });
  }
  window.addEventListener("beforeprint", fitAll);
  window.addEventListener("afterprint", fitAll);
  window.gpworkforceDrawCharts = draw;

  function enableDownloads(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(".app-chart__actions[hidden]"), function (p) {
      p.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-chart-download]") : null;
    if (!button || !window.Plotly) { return; }
    var plot = document.getElementById(button.getAttribute("data-chart-download"));
    if (!plot || !plot.getAttribute("data-plotly-drawn")) { return; }
    window.Plotly.downloadImage(plot, { format: "png", scale: 2, filename: button.getAttribute("data-filename") || "chart" });
  });

  document.addEventListener("htmx:afterSettle", function (event) { enableDownloads(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enableDownloads(document); });
  } else {
    enableDownloads(document);
  }
})();
