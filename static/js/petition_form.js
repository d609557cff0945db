// The petition form (resident's and staff intake). Everything here improves a form that works
// without JavaScript: the server validates every field, the community list places the problem.
(function () {
  "use strict";
  var form = document.getElementById("petition-form");
  if (!form) return;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key] != null ? values[key] : ""; });
  }

  // 1. The error summary takes focus, so a screen reader reads it and a phone scrolls to it.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // 2. Character counters instead of silent truncation (the inputs carry no maxlength).
  Array.prototype.forEach.call(form.querySelectorAll("[data-maxlength]"), function (input) {
    var max = Number(input.dataset.maxlength);
    var counter = document.createElement("p");
    counter.className = "char-counter";
    counter.id = input.id + "_counter";
    counter.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", counter);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    function update() {
      var used = Array.from(input.value).length;
      counter.textContent = used + " / " + max;
      counter.classList.toggle("over", used > max);
    }
    input.addEventListener("input", update);
    update();
  });

  // 3. The category list follows the chosen service; choosing a category first sets the service.
  var service = form.elements.service;
  var category = form.elements.category;
  if (service && category) {
    var groups = Array.prototype.slice.call(category.querySelectorAll("optgroup"));
    var labelOf = function () {
      var option = service.options[service.selectedIndex];
      return option && option.value ? option.text : "";
    };
    var filter = function () {
      var label = labelOf();
      groups.forEach(function (group) {
        var show = !label || group.label === label;
        group.hidden = !show;
        Array.prototype.forEach.call(group.children, function (o) { o.disabled = !show; });
      });
      var chosen = category.options[category.selectedIndex];
      if (chosen && chosen.disabled) category.value = "";
    };
    service.addEventListener("change", filter);
    category.addEventListener("change", function () {
      var chosen = category.options[category.selectedIndex];
      if (!chosen || !chosen.value || service.value) return;
      var group = chosen.parentElement;
      Array.prototype.forEach.call(service.options, function (o) { if (o.text === group.label) service.value = o.value; });
      filter();
    });
    filter();
  }

  // 4. "Use my location": a point instead of (or besides) a community.
  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  var placePin = null;
  if (button && "geolocation" in navigator) {
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          if (placePin) placePin(pos.coords.latitude, pos.coords.longitude);
          else {
            form.elements.latitude.value = pos.coords.latitude.toFixed(6);
            form.elements.longitude.value = pos.coords.longitude.toFixed(6);
            form.dispatchEvent(new Event("suqiu:pin"));
          }
          status.textContent = button.dataset.found;
        },
        function () { status.textContent = button.dataset.failed; },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  }

  // 5. The map: the community shapes from the regions API are the map (no tile server needed);
  //    a pin where the problem is, its community chosen in the list, the nearest service point shown.
  var wrap = document.getElementById("petition-map-wrap");
  var el = document.getElementById("petition-map");
  if (!wrap || !el || !window.L) return;
  wrap.hidden = false;
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: !!el.dataset.tiles });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
  var mapStatus = document.getElementById("map-status");
  var communities = [];
  var pin = null;
  var nearestMarker = null;

  function inRing(lng, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function communityAt(lat, lng) {
    for (var i = 0; i < communities.length; i++) {
      var geometry = communities[i].boundary;
      if (!geometry) continue;
      var polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
      for (var k = 0; k < polygons.length; k++) if (inRing(lng, lat, polygons[k][0])) return communities[i];
    }
    return null;
  }
  function showNearest(lat, lng) {
    fetch(el.dataset.points + "?lat=" + lat.toFixed(6) + "&lng=" + lng.toFixed(6) + "&radius=5000", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var point = data.results && data.results[0];
        if (nearestMarker) { nearestMarker.remove(); nearestMarker = null; }
        if (!point) return;
        nearestMarker = L.circleMarker([point.latitude, point.longitude], { radius: 7, color: "#0b5394", fillOpacity: 0.9, className: "nearest-point" })
          .bindTooltip(point.name).addTo(map);
        var line = document.createElement("span");
        line.id = "nearest-point";
        line.textContent = format(el.dataset.nearest, { name: point.name, distance: Math.round(point.distance_m), hours: point.opening_hours || "" });
        mapStatus.appendChild(document.createTextNode(" "));
        mapStatus.appendChild(line);
      })
      .catch(function () { /* the pin stands without it */ });
  }
  placePin = function (lat, lng) {
    var community = communityAt(lat, lng);
    if (!community) { mapStatus.textContent = el.dataset.outside; return; }
    if (!pin) {
      pin = L.marker([lat, lng], { draggable: true, keyboard: true, alt: community.name }).addTo(map);
      pin.on("dragend", function () { var p = pin.getLatLng(); placePin(p.lat, p.lng); });
    } else pin.setLatLng([lat, lng]);
    if (pin.getElement()) pin.getElement().classList.add("petition-pin");
    form.elements.latitude.value = lat.toFixed(6);
    form.elements.longitude.value = lng.toFixed(6);
    if (form.elements.community) form.elements.community.value = community.code;
    form.dispatchEvent(new Event("suqiu:pin"));  // duplicates.js looks for petitions near the pin
    mapStatus.textContent = format(el.dataset.placed, { community: community.name });
    showNearest(lat, lng);
  };
  map.on("click", function (event) { placePin(event.latlng.lat, event.latlng.lng); });

  fetch(el.dataset.regions, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      communities = data.results || [];
      var shapes = L.geoJSON({ type: "FeatureCollection", features: communities.filter(function (c) { return c.boundary; }).map(function (c) {
        return { type: "Feature", geometry: c.boundary, properties: { name: c.name, code: c.code } };
      }) }, {
        style: { color: "#555", weight: 1, fillColor: "#f6e7d8", fillOpacity: 0.5, className: "community-shape" },
        interactive: false,  // a tap goes to the map, which places the pin
      }).addTo(map);
      var bounds = shapes.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [6, 6] });
      var lat = parseFloat(form.elements.latitude.value), lng = parseFloat(form.elements.longitude.value);
      if (!isNaN(lat) && !isNaN(lng)) placePin(lat, lng);  // a pin placed before a validation error
      el.dataset.ready = "true";
    });
})();
