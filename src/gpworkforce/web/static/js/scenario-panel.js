// Scenario panel and results on organisation pages (loaded as a file: the CSP blocks inline scripts).
// - shows each slider's value as it moves (the <output> and aria-valuetext);
// - moving an optional slider (DNA rate, growth rate) ticks its "use this" checkbox;
// - lets HTMX swap a 400 results fragment (it names the invalid field) instead of ignoring it;
// - frees the old Plotly charts before HTMX replaces them, and redraws after history navigation;
// - after sorting the table of organisations, focus returns to the column heading used.
(function () {
  "use strict";

  function format(input) {
    var value = parseFloat(input.value);
    if (isNaN(value)) { return input.value; }
    if (input.getAttribute("data-unit") === "%") {
      var decimals = parseInt(input.getAttribute("data-decimals") || "0", 10);
      var text = (value * 100).toFixed(decimals);
      if (parseFloat(text) === 0) { text = (0).toFixed(decimals); }
      var signed = input.getAttribute("data-signed") === "true" && parseFloat(text) > 0;
      return (signed ? "+" : "") + text + "%";
    }
    return String(value);
  }

  function showValue(input) {
    var output = document.getElementById(input.id + "-value");
    var text = format(input);
    if (output) { output.textContent = text; output.removeAttribute("data-off"); }
    input.setAttribute("aria-valuetext", text);
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "range" || !input.closest("#scenario-form")) { return; }
    showValue(input);
    var toggleId = input.getAttribute("data-toggle");
    var toggle = toggleId ? document.getElementById(toggleId) : null;
    if (toggle && !toggle.checked) { toggle.checked = true; }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var target = detail.target;
    if (!target) { return; }
    if (detail.xhr && detail.xhr.status === 400 && target.id === "results") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
    if (detail.shouldSwap && window.Plotly) {
      Array.prototype.forEach.call(target.querySelectorAll(".js-plotly-plot"), function (plot) {
        window.Plotly.purge(plot);
      });
    }
  });

  // Sorting replaces the table: put keyboard focus back on the heading link that was used.
  var sortedBy = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    sortedBy = elt instanceof Element && elt.matches(".app-sort-link") ? elt.getAttribute("data-sort") : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!sortedBy) { return; }
    var link = document.querySelector('#table-children a[data-sort="' + sortedBy + '"]');
    sortedBy = null;
    if (link) { link.focus(); }
  });

  document.addEventListener("htmx:historyRestore", function () {
    if (window.gpworkforceDrawCharts) { window.gpworkforceDrawCharts(document); }
  });
})();
