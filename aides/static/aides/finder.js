/* Progressive enhancement of the aid finder: commune suggestions while typing.
   Without JavaScript the field still accepts a name, a postal code or "Nom (code)". */
(function () {
  "use strict";
  var list = document.getElementById("communes-suggestions");
  if (!list || !window.fetch) { return; }
  var inputs = document.querySelectorAll('input[list="communes-suggestions"]');
  var timer = null;
  var lastQuery = "";

  function fill(items) {
    list.textContent = "";
    items.slice(0, 10).forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.nom + " (" + item.code + ")";
      if (item.codes_postaux) {
        option.label = [].concat(item.codes_postaux).join(" ");
      }
      list.appendChild(option);
    });
  }

  function search(query) {
    if (query === lastQuery || query.length < 2 || /\(\w{5}\)$/.test(query)) { return; }
    lastQuery = query;
    fetch("/territoires/communes/recherche?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (data) { fill(Array.isArray(data) ? data : (data.results || [])); })
      .catch(function () { /* suggestions are optional */ });
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      timer = setTimeout(function () { search(query); }, 200);
    });
  });
})();

/* « Imprimer » on a finder result: the button is shown only where it can work (with
   JavaScript); the print layout itself is aides.css's @media print. */
(function () {
  "use strict";
  if (typeof window.print !== "function") { return; }
  document.querySelectorAll("[data-imprimer]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
