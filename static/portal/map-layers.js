/* Layers of the portal's maps, drawn from JSON written beside the map by portal.lib.maps.DataLayer.
 *
 * The payload is data, never code or markup: every text (names of structures, communes,
 * zones, aids) reaches the page through textContent or a text node. A heavy layer's payload
 * names `urls` instead (portal.lib.maps.remote_layer): GeoJSON fetched from our own origin
 * (CSP connect-src 'self'), cached by the browser since its URL carries the data version.
 */
(function () {
  "use strict";
  if (window.portalMaps) { return; }

  function present(value) {
    return value !== null && value !== undefined && value !== "";
  }

  // <div><b>label : </b>value</div> per field; a field without label shows its value alone.
  function fieldsBox(properties, fields) {
    var box = document.createElement("div");
    fields.forEach(function (field) {
      var value = properties[field[1]];
      if (!present(value)) { return; }
      var line = document.createElement("div");
      if (field[0]) {
        var label = document.createElement("b");
        label.textContent = field[0] + " : ";
        line.appendChild(label);
      }
      line.appendChild(document.createTextNode(String(value)));
      box.appendChild(line);
    });
    return box;
  }

  // The features of every URL of the layer, in order, as one FeatureCollection.
  function load(urls) {
    return Promise.all(urls.map(function (url) {
      return fetch(url, {credentials: "same-origin"}).then(function (response) {
        if (!response.ok) { throw new Error("couche " + url + " : " + response.status); }
        return response.json();
      });
    })).then(function (collections) {
      var features = [];
      collections.forEach(function (data) { features = features.concat(data.features || []); });
      return {type: "FeatureCollection", features: features};
    });
  }

  // Page-side properties (a choropleth's colour and text) merged by feature id.
  function joined(data, join) {
    if (!join) { return data; }
    data.features.forEach(function (feature) {
      var extra = join[feature.id];
      if (extra) { feature.properties = Object.assign({}, feature.properties || {}, extra); }
    });
    return data;
  }

  // Fetches start at once; layers are drawn in the order they were declared (outlines
  // under QPV under the département's border), whichever answers first. A failed layer is
  // reported in the console and the others are still drawn. Once every layer is drawn the
  // map's element gets data-couches="chargees" (what a browser test waits for).
  function remote(map, group, layer, draw) {
    var loading = load(layer.urls);
    var previous = map.portalDrawn || Promise.resolve();
    var element = map.getContainer();
    map.portalPending = (map.portalPending || 0) + 1;
    element.setAttribute("data-couches", "en-cours");
    map.portalDrawn = previous.then(function () { return loading; }).then(function (data) {
      draw(group, data);
    }).catch(function (error) {
      if (window.console) { window.console.warn(error.message); }
    }).then(function () {
      map.portalPending -= 1;
      if (!map.portalPending) { element.setAttribute("data-couches", "chargees"); }
    });
    return group;
  }

  function geojson(map, layer) {
    if (layer.urls) {
      return remote(map, L.featureGroup().addTo(map), layer, function (group, data) {
        drawGeojson(group, layer, joined(data, layer.join));
      });
    }
    return drawGeojson(map, layer, layer.data);
  }

  function drawGeojson(map, layer, data) {
    return L.geoJSON(data, {
      style: function (feature) {
        var own = (feature && feature.properties && feature.properties.style) || {};
        return Object.assign({}, layer.style || {}, own);
      },
      onEachFeature: function (feature, shape) {
        if (layer.tooltip && layer.tooltip.length) {
          shape.bindTooltip(function () {
            return fieldsBox(feature.properties || {}, layer.tooltip);
          }, {sticky: true});
        }
      }
    }).addTo(map);
  }

  function popupLine(box, label, value) {
    if (!present(value)) { return; }
    var p = document.createElement("p");
    p.className = "fr-text--sm fr-mb-0";
    var b = document.createElement("b");
    b.textContent = label + " : ";
    p.appendChild(b);
    p.appendChild(document.createTextNode(String(value)));
    box.appendChild(p);
  }

  // A structure: {nom, type, commune, aides: [..], annee}.
  function structureMarker(lat, lon, s) {
    var marker = L.marker(L.latLng(lat, lon), {title: s.nom, alt: s.nom});
    marker.bindPopup(function () {
      var box = document.createElement("div");
      var title = document.createElement("p");
      title.className = "fr-text--bold fr-mb-1v";
      title.textContent = s.nom;
      box.appendChild(title);
      popupLine(box, "Type", s.type);
      popupLine(box, "Commune", s.commune);
      popupLine(box, "Aide", (s.aides || []).join(", "));
      popupLine(box, "Année de décision", s.annee);
      return box;
    });
    return marker;
  }

  function cluster(map) {
    return L.markerClusterGroup({showCoverageOnHover: false, chunkedLoading: true}).addTo(map);
  }

  // Markers of structures fetched from `urls`: GeoJSON points, the structure as properties.
  function markers(map, layer) {
    return remote(map, cluster(map), layer, function (group, data) {
      group.addLayers(data.features.map(function (feature) {
        var xy = feature.geometry.coordinates;
        return structureMarker(xy[1], xy[0], feature.properties || {});
      }));
    });
  }

  function point(map, layer) {
    var marker = L.marker(L.latLng(layer.lat, layer.lon)).addTo(map);
    if (present(layer.tooltip)) {
      var text = document.createElement("span");
      text.textContent = layer.tooltip;
      marker.bindTooltip(text);
    }
    return marker;
  }

  var DRAW = {geojson: geojson, markers: markers, point: point};

  window.portalMaps = {
    draw: function (map, id) {
      var element = document.getElementById(id);
      if (!element) { return null; }
      var layer = JSON.parse(element.textContent);
      var draw = DRAW[layer.type];
      return draw ? draw(map, layer) : null;
    }
  };
})();
