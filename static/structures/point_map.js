/* Places a structure's point on a Leaflet map and keeps the latitude/longitude inputs in step. */
(function () {
  "use strict";

  function parse(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isNaN(value) ? null : value;
  }

  function setup(el) {
    var latInput = document.getElementById(el.dataset.latInput);
    var lonInput = document.getElementById(el.dataset.lonInput);
    if (!latInput || !lonInput || typeof L === "undefined") { return; }
    // {tiles: {url, attribution, maxZoom} | null, center: [lat, lon], contour: GeoJSON | null}
    var config = JSON.parse(el.dataset.map);
    var lat = parse(latInput), lon = parse(lonInput);
    var start = lat !== null && lon !== null ? [lat, lon] : config.center;
    var map = L.map(el).setView(start, lat !== null && lon !== null ? 15 : 8);
    if (config.tiles) {
      L.tileLayer(config.tiles.url, {
        maxZoom: config.tiles.maxZoom, attribution: config.tiles.attribution
      }).addTo(map);
    }
    var marker = null;
    if (config.contour) {
      try {
        var outline = L.geoJSON(config.contour, {
          style: { color: "#000091", weight: 2, fillOpacity: 0.05 }, interactive: false
        }).addTo(map);
        map.fitBounds(outline.getBounds());
      } catch (e) { /* a malformed outline must not prevent placing the point */ }
    }

    function write(latlng) {
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
    }
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); return; }
      marker = L.marker(latlng, { draggable: true, keyboard: true, title: "Emplacement" }).addTo(map);
      marker.on("dragend", function () { write(marker.getLatLng()); });
    }
    if (lat !== null && lon !== null) { place(L.latLng(lat, lon)); }
    map.on("click", function (event) { place(event.latlng); write(event.latlng); });

    function fromInputs() {
      var la = parse(latInput), lo = parse(lonInput);
      if (la === null || lo === null) { return; }
      place(L.latLng(la, lo));
      map.panTo([la, lo]);
    }
    latInput.addEventListener("change", fromInputs);
    lonInput.addEventListener("change", fromInputs);
  }

  function init() {
    document.querySelectorAll(".structures-point-map").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
