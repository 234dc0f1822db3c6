/* Layers of the portal's maps, drawn from JSON written beside the map by portal.lib.maps.DataLayer.
 *
 * The payload is data, never code or markup: every text (names of structures, communes,
 * zones, aids) reaches the page through textContent or a text node.
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

  function geojson(map, layer) {
    return L.geoJSON(layer.data, {
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

  // Rows are [lat, lon, name, kind index, commune index, aid indexes, year].
  function markers(map, layer) {
    var cluster = L.markerClusterGroup({showCoverageOnHover: false, chunkedLoading: true});
    var list = layer.rows.map(function (row) {
      var marker = L.marker(L.latLng(row[0], row[1]), {title: row[2], alt: row[2]});
      marker.bindPopup(function () {
        var box = document.createElement("div");
        var title = document.createElement("p");
        title.className = "fr-text--bold fr-mb-1v";
        title.textContent = row[2];
        box.appendChild(title);
        popupLine(box, "Type", layer.kinds[row[3]]);
        popupLine(box, "Commune", layer.communes[row[4]]);
        popupLine(box, "Aide", row[5].map(function (i) { return layer.aids[i]; }).join(", "));
        popupLine(box, "Année de décision", row[6]);
        return box;
      });
      return marker;
    });
    cluster.addLayers(list);
    return cluster.addTo(map);
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
