// "Use my location" on the petition form: a point instead of (or besides) a community.
(function () {
  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  var form = button && button.form;
  if (!button || !form || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.elements.latitude.value = pos.coords.latitude.toFixed(6);
        form.elements.longitude.value = pos.coords.longitude.toFixed(6);
        status.textContent = button.dataset.found;
      },
      function () { status.textContent = button.dataset.failed; },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  });
})();
