/* The dashboards' charts: each <canvas data-chart="ID"> is drawn with Chart.js (served from
   static/vendor, no CDN) from the JSON of the <script type="application/json" id="ID"> that
   Django's json_script wrote next to it: {labels, values, label, max}. A null value (a
   suppressed count) draws no bar. The table under each chart holds the same figures, so the
   page needs no JavaScript to be read. Loaded as a file (no inline script, for the CSP). */
(function () {
  "use strict";

  var BRAND = "#0b5d3b";

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var kind = canvas.getAttribute("data-kind") || "bar";
    var valueAxis = {
      beginAtZero: true,
      ticks: { precision: 0 }
    };
    if (typeof data.max === "number") {
      valueAxis.max = data.max;
    }
    var horizontal = kind === "horizontal";
    var scales = horizontal ? { x: valueAxis } : { y: valueAxis };
    new window.Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.label,
            data: data.values,
            backgroundColor: BRAND,
            borderColor: BRAND,
            pointRadius: 3,
            maxBarThickness: 40,
            spanGaps: false
          }
        ]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: scales
      }
    });
  }

  function start() {
    if (!window.Chart) {
      return;
    }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i += 1) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
