// "Use my location": fill the hidden coordinates from the browser and search. Without
// JavaScript (or geolocation) the button stays hidden and the community picker does the job.
(function () {
  var button = document.getElementById("use-location");
  var form = document.getElementById("find-form");
  var status = document.getElementById("location-status");
  if (!button || !form || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = button.dataset.locating || "…";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lng.value = pos.coords.longitude.toFixed(6);
        // The coordinates win on the server anyway; clearing the other inputs avoids confusion
        // when the resident comes back to the page.
        form.elements.community.value = "";
        form.elements.q.value = "";
        form.submit();
      },
      function () {
        // Denied, unavailable (e.g. not HTTPS) or timed out: say so and let them pick a community.
        button.disabled = false;
        status.textContent = button.dataset.failed || "";
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  });
})();
