"""A Leaflet map to place or move a point; it writes into the latitude/longitude inputs.

The inputs stay the accessible way to enter a point (keyboard, screen readers); the map
is a convenience on top. Leaflet is served from static files (no CDN), and the script is
an external file, so the page's CSP needs no inline script.
"""

import json

from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

TILES = {
    "ign": (
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
        "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
        "© IGN – Plan IGN",
    ),
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "© contributeurs OpenStreetMap",
    ),
}
# Centre of Île-de-France: where the map opens when the record has no point yet.
DEFAULT_CENTER = (48.71, 2.50)


class PointMapWidget(forms.Widget):
    template_name = "structures/widgets/point_map.html"

    def __init__(self, lat_input="id_latitude", lon_input="id_longitude", attrs=None):
        super().__init__(attrs)
        self.lat_input = lat_input
        self.lon_input = lon_input
        self.contour = None  # GeoJSON geometry of the current commune, drawn under the point

    class Media:
        css = {"all": ["vendor/leaflet/leaflet.css", "structures/point_map.css"]}
        js = ["vendor/leaflet/leaflet.js", "structures/point_map.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url, attribution = TILES.get(getattr(settings, "MAP_TILES", "ign"), TILES["ign"])
        context["widget"].update(
            lat_input=self.lat_input,
            lon_input=self.lon_input,
            tiles_url=url,
            tiles_attribution=attribution,
            default_lat=DEFAULT_CENTER[0],
            default_lon=DEFAULT_CENTER[1],
            contour=json.dumps(self.contour) if self.contour else "",
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates/ folder, which the default form renderer does not search.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))

    def value_from_datadict(self, data, files, name):
        return None
