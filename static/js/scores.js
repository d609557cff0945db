// A horizontal bar chart of a league table; the table on the page is the accessible source.
(function () {
  "use strict";
  const node = document.getElementById("chart-data");
  const canvas = document.getElementById("score-chart");
  if (!node || !canvas || !window.Chart) return;
  const data = JSON.parse(node.textContent);
  canvas.parentElement.style.height = Math.max(12, data.labels.length * 1.6) + "rem";
  window.suqiuCharts = { scores: new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.values,
      backgroundColor: data.values.map((v) => (v < 90 ? "#a31515" : "#0b5394")) }] },
    options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
               plugins: { legend: { display: false } }, scales: { x: { min: 0, max: 100 } } },
  }) };
})();
