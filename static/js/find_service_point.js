// "Use my location": fill the hidden coordinates from the browser and search.
(function () {
  var button = document.getElementById("use-location");
  var form = document.getElementById("find-form");
  var status = document.getElementById("location-status");
  if (!button || !form || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating || "…";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lng.value = pos.coords.longitude.toFixed(6);
        form.elements.community.value = "";
        form.elements.q.value = "";
        form.submit();
      },
      function () {
        status.textContent = button.dataset.failed || "";
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  });
})();
