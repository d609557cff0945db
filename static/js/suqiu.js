// Large-text toggle: flip the class at once and remember it; the server renders the class
// from the cookie on the next page, and the form posts as a fallback without JavaScript.
(function () {
  var form = document.getElementById("text-size-form");
  var button = document.getElementById("text-size-toggle");
  if (!form || !button) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var large = !document.documentElement.classList.contains("text-large");
    document.documentElement.classList.toggle("text-large", large);
    button.setAttribute("aria-pressed", large ? "true" : "false");
    form.elements.size.value = large ? "normal" : "large";
    document.cookie = large
      ? "suqiu_text=large; path=/; max-age=31536000; SameSite=Lax"
      : "suqiu_text=; path=/; max-age=0; SameSite=Lax";
  });
})();
