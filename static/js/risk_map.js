// The risk map: the region shapes are the map (no tile server needed); a tile layer is added
// only when the deployment configures one. Communities are coloured by open high-risk petitions.
(function () {
  "use strict";
  const el = document.getElementById("risk-map");
  if (!el || !window.L) return;
  const colours = ["#f2f2f2", "#f6c6a0", "#e8743b", "#a31515"];
  const bucket = (n) => (n >= 6 ? 3 : n >= 3 ? 2 : n >= 1 ? 1 : 0);
  const map = L.map(el, { zoomSnap: 0.25, attributionControl: !!el.dataset.tiles });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
  const radius = Number(el.dataset.radius || 500);

  fetch(el.dataset.source, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((geo) => {
      const communities = L.geoJSON(geo, {
        filter: (f) => f.properties.kind === "community",
        style: (f) => ({ color: "#555", weight: 1, fillOpacity: 0.85, fillColor: colours[bucket(f.properties.high_risk)],
                         className: "community risk-" + bucket(f.properties.high_risk) }),
        onEachFeature: (f, layer) => {
          // A permanent label with the community's name (and its count when it has any): the map
          // reads without hovering, on a phone too.
          const label = f.properties.high_risk ? f.properties.name + " " + f.properties.high_risk : f.properties.name;
          layer.bindTooltip(label, { permanent: true, direction: "center", className: "community-label" });
          layer.on("click", () => { window.location.href = f.properties.url; });
          layer.on("add", () => {
            const path = layer.getElement && layer.getElement();
            if (path) { path.setAttribute("data-code", f.properties.code); path.setAttribute("data-high-risk", f.properties.high_risk); }
          });
        },
      }).addTo(map);
      const streets = L.geoJSON(geo, {
        filter: (f) => f.properties.kind === "street",
        style: { color: "#222", weight: 2.5, fill: false, className: "street" },
        interactive: false,
      }).addTo(map);
      const points = L.layerGroup();
      geo.features.filter((f) => f.properties.kind === "service_point").forEach((f) => {
        const [lng, lat] = f.geometry.coordinates;
        L.circle([lat, lng], { radius: radius, color: "#0b5394", weight: 1, fillOpacity: 0.08, interactive: false, className: "coverage" }).addTo(points);
        L.circleMarker([lat, lng], { radius: 3, color: "#0b5394", fillOpacity: 1, className: "service-point" })
          .bindTooltip(f.properties.name).addTo(points);
      });
      const overlays = {};
      overlays[el.dataset.labelStreets] = streets;
      overlays[el.dataset.labelPoints] = points;
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      const bounds = communities.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
      el.dataset.ready = "true";
    });
})();
