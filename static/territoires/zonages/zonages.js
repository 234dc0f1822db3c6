/* Progressive enhancement of the zonings page (everything works without it, through the forms):
   - commune suggestions while typing in "À cette adresse";
   - a click on the map shows the zones at that point (GET /api/v1/lieu?lat=…&lon=…). */
(function () {
  "use strict";
  var box = document.getElementById("zones-au-point");
  if (!box || !window.fetch) { return; }

  var list = document.getElementById("communes-suggestions-zonages");
  var input = document.querySelector('input[list="communes-suggestions-zonages"]');
  var timer = null;
  var lastQuery = "";
  if (list && input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      timer = setTimeout(function () {
        if (query === lastQuery || query.length < 2 || /\(\w{5}\)$/.test(query)) { return; }
        lastQuery = query;
        fetch("/territoires/communes/recherche?q=" + encodeURIComponent(query), {
          headers: { Accept: "application/json" }
        })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            list.textContent = "";
            (Array.isArray(items) ? items : []).slice(0, 10).forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.nom + " (" + item.code + ")";
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are optional */ });
      }, 200);
    });
  }

  var mapName = box.getAttribute("data-map");
  var map = mapName ? window[mapName] : null;
  if (!map || !window.L) { return; }
  var marker = null;

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function show(data, lat, lon) {
    box.textContent = "";
    if (data.erreur) {
      box.appendChild(element("p", data.erreur, "fr-error-text"));
      return;
    }
    var place = data.arrondissement || data.commune;
    box.appendChild(element("p", "Zones au point cliqué (" + lat.toFixed(5) + ", " + lon.toFixed(5) +
      ") — " + place.nom + " (" + place.code + ")", "fr-text--bold fr-mb-1w"));
    var zones = data.zones || [];
    if (!zones.length) {
      box.appendChild(element("p", "Aucune zone enregistrée à cet endroit.", "fr-text--sm"));
    }
    var ul = element("ul");
    zones.forEach(function (zone) {
      var who = zone.profession_libelle || zone.kind_libelle || "";
      var text = who + " : " + zone.categorie_libelle;
      if (zone.libelle && zone.libelle !== zone.categorie_libelle) { text += " — " + zone.libelle; }
      if (zone.code) { text += " (" + zone.code + ")"; }
      if (zone.partiel) { text += " — une partie de la commune"; }
      // The server words the reference: an act known only by its export has no date.
      text += ". Source : " + zone.zonage.titre + " — " + zone.zonage.reference;
      (zone.notes || []).forEach(function (note) { text += " — " + note; });
      if (zone.demonstration) { text += " (démonstration)"; }
      ul.appendChild(element("li", text, "fr-text--sm"));
    });
    box.appendChild(ul);
    var link = element("a", "Fiche de la commune");
    link.href = place.url;
    box.appendChild(link);
  }

  map.on("click", function (event) {
    var lat = event.latlng.lat;
    var lon = event.latlng.lng;
    if (marker) { map.removeLayer(marker); }
    marker = window.L.circleMarker(event.latlng, { radius: 6, color: "#000091" }).addTo(map);
    box.textContent = "Recherche des zones…";
    var url = box.getAttribute("data-api") + "?lat=" + lat.toFixed(6) + "&lon=" + lon.toFixed(6);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { show(data, lat, lon); })
      .catch(function () { box.textContent = "Les zones n'ont pas pu être chargées : utilisez le formulaire."; });
  });
})();
