// Draws every <canvas data-chart="ID"> with Chart.js (loaded before this file): ID names the json_script element
// that holds the chart's figures and words, already translated; days come as labels written in the page's
// language, and numbers are formatted in its locale (Chart.js's `locale` option, Intl.NumberFormat underneath).
(function () {
  "use strict";
  const CONSUMED = "#0b5cad";
  const GRANTED = "#a4161a";

  function draw(canvas) {
    if (window.Chart.getChart(canvas)) return; // drawn already
    const spec = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: [
          {
            label: spec.consumed_label,
            data: spec.consumed,
            borderColor: CONSUMED,
            backgroundColor: CONSUMED,
            pointRadius: spec.labels.length > 60 ? 0 : 2,
            borderWidth: 2,
          },
          {
            label: spec.granted_label,
            data: spec.labels.map(function () { return spec.granted; }),
            borderColor: GRANTED,
            backgroundColor: GRANTED,
            borderDash: [6, 4],
            pointRadius: 0,
            borderWidth: 2,
          },
        ],
      },
      options: {
        locale: document.documentElement.lang || "en",
        aspectRatio: 2.5,
        animation: still ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { title: { display: true, text: spec.x_title }, ticks: { autoSkip: true, maxRotation: 0 } },
          y: { beginAtZero: true, title: { display: true, text: spec.y_title } },
        },
        plugins: {
          title: { display: true, text: spec.title },
          // Lines in the legend, the granted one dashed as on the chart.
          legend: { display: true, position: "bottom", labels: { usePointStyle: true, pointStyle: "line" } },
        },
      },
    });
  }

  function drawAll() {
    if (!window.Chart) return; // the figures stay readable in the table under each canvas
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
