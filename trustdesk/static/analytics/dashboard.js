// The analytics dashboard: draws each chart from the page's JSON (#analytics-data) and
// opens the list behind a bar or point when it is clicked. The same figures are in each
// chart's table, so the page reads fine without this script.
(function () {
  "use strict";

  var PALETTE = ["#1d57b8", "#b42318", "#146c43", "#8a5300", "#6941c6", "#0e7490",
                 "#c2410c", "#4d7c0f", "#be185d", "#475569"];

  function linkAt(chart, event) {
    var hits = chart.getElementsAtEventForMode(event, "nearest", { intersect: true }, true);
    if (!hits.length) return "";
    var dataset = chart.data.datasets[hits[0].datasetIndex];
    return (dataset.links || [])[hits[0].index] || "";
  }

  function draw(canvas, spec) {
    var datasets = spec.datasets.map(function (d, i) {
      var colour = PALETTE[i % PALETTE.length];
      return {
        label: d.label, data: d.data, links: d.links,
        backgroundColor: colour, borderColor: colour, fill: false, tension: 0.2
      };
    });
    return new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: spec.stacked },
          y: {
            stacked: spec.stacked,
            beginAtZero: true,
            ticks: { precision: spec.axis === "count" ? 0 : undefined },
            title: { display: !!spec.axis, text: spec.axis }
          }
        },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        onClick: function (event, elements, chart) {
          var link = linkAt(chart, event.native || event);
          if (link) window.location.assign(link);
        },
        onHover: function (event, elements, chart) {
          chart.canvas.style.cursor = linkAt(chart, event.native || event) ? "pointer" : "default";
        }
      }
    });
  }

  function start() {
    var source = document.getElementById("analytics-data");
    if (!source || !window.Chart) return;
    var specs = JSON.parse(source.textContent);
    specs.forEach(function (spec) {
      var canvas = document.querySelector('canvas[data-chart="' + spec.key + '"]');
      if (canvas) draw(canvas, spec);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
