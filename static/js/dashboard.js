// Draws the dashboard's charts from the numbers the server rendered (the tables beside each
// chart hold the same numbers for screen readers and for browsers without JavaScript).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
  if (!window.Chart) return;
  const red = "#a31515", blue = "#0b5394", grey = "#8a8a8a";
  const base = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } };
  const charts = {};

  function bar(id, keys, values, names, extra) {
    const el = document.getElementById(id);
    if (!el) return;
    charts[id] = new Chart(el, {
      type: "bar",
      data: { labels: keys.map((k) => names[k] || k), datasets: [{ label: labels.received, data: values, backgroundColor: blue }].concat(extra || []) },
      options: Object.assign({}, base, { plugins: { legend: { display: !!extra } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }),
    });
  }

  const channels = Object.keys(data.today_by_channel);
  bar("chart-channel", channels, channels.map((k) => data.today_by_channel[k]), labels.channels);
  const services = Object.keys(data.today_by_service);
  bar("chart-service", services, services.map((k) => data.today_by_service[k]), labels.services,
      [{ label: labels.open, data: services.map((k) => data.open_by_service[k] || 0), backgroundColor: red }]);

  const trend = document.getElementById("chart-trend");
  if (trend) {
    charts["chart-trend"] = new Chart(trend, {
      type: "line",
      data: {
        labels: data.trend.map((d) => d.day.slice(5)),
        datasets: [
          { label: labels.received, data: data.trend.map((d) => d.received), borderColor: blue, backgroundColor: blue },
          { label: labels.resolved, data: data.trend.map((d) => d.resolved), borderColor: grey, backgroundColor: grey },
        ],
      },
      options: Object.assign({}, base, { plugins: { legend: { display: true } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }),
    });
  }
  window.suqiuCharts = charts; // for the browser tests: what was drawn
})();
