// Nearby duplicates on a filing form: as the pin moves or the category (or, for staff, the phone)
// changes, ask the nearby API for open petitions of the same category within 200 m and offer to
// join one. "Join this one" submits the same form with join=<id> (the phone and name typed in it
// say who joins); the server checks and does the rest.
(function () {
  "use strict";
  var form = document.getElementById("petition-form");
  var panel = document.getElementById("duplicates");
  if (!form || !panel || !window.fetch || !window.URLSearchParams) return;
  var list = document.getElementById("duplicates-list");
  var timer = null;
  var last = "";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key] != null ? values[key] : ""; });
  }
  function value(name) {
    var field = form.elements[name];
    return field ? String(field.value || "").trim() : "";
  }
  function render(data) {
    list.textContent = "";
    if (!data || !data.results || !data.results.length) { panel.hidden = true; return; }
    data.results.forEach(function (p) {
      var item = document.createElement("li");
      item.className = "duplicate";
      var title = document.createElement("strong");
      title.textContent = p.title;
      item.appendChild(title);
      var parts = [p.category, p.status_label];
      if (p.distance_m != null) parts.push(format(panel.dataset.distance, { m: p.distance_m }));
      if (p.same_phone) parts.push(panel.dataset.samePhone);
      if (p.tracking_code) parts.push(p.tracking_code);
      var meta = document.createElement("span");
      meta.className = "hint";
      meta.textContent = " · " + parts.join(" · ") + " ";
      item.appendChild(meta);
      // A plain button, not a submit one: pressing Enter in the form must file, never join.
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary small join-button";
      button.textContent = panel.dataset.join;
      button.addEventListener("click", function () {
        var join = document.createElement("input");
        join.type = "hidden";
        join.name = "join";
        join.value = String(p.id);
        form.appendChild(join);
        form.submit();
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    panel.hidden = false;
  }
  function query() {
    var category = value("category");
    var lat = value("latitude"), lng = value("longitude");
    var phone = panel.dataset.staff === "1" ? value("phone") : "";
    if (!category || (!(lat && lng) && phone.length < 11)) { last = ""; render(null); return; }
    var params = new URLSearchParams({ category: category });
    if (lat && lng) { params.set("lat", lat); params.set("lng", lng); }
    if (phone.length >= 11) params.set("phone", phone);
    var url = panel.dataset.url + "?" + params.toString();
    if (url === last) return;
    last = url;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(render)
      .catch(function () { /* the form works without the list */ });
  }
  function soon() { clearTimeout(timer); timer = setTimeout(query, 300); }
  form.addEventListener("change", soon);
  form.addEventListener("suqiu:pin", soon);  // petition_form.js: the pin moved
  if (form.elements.phone) form.elements.phone.addEventListener("input", soon);
  query();
})();
