// Draw every Plotly chart whose figure JSON is embedded in the page (see the plotly_chart macro):
// <div data-plotly-figure="ID-data"> + <script type="application/json" id="ID-data">.
// JSON data blocks are not executed, so this works under the CSP without inline scripts.
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
})();
