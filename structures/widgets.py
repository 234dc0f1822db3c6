"""A Leaflet map to place or move a point; it writes into the latitude/longitude inputs.

The inputs stay the accessible way to enter a point (keyboard, screen readers); the map
is a convenience on top. Leaflet is served from static files (no CDN), and the script is
an external file, so the page's CSP needs no inline script. The tiles are those of the
public maps (`portal.lib.maps.TILES`), handed to the script as JSON in a data attribute
with the start point and the commune's outline.
"""

import json

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from portal.lib.maps import leaflet_tiles

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
        config = {"tiles": leaflet_tiles(), "center": DEFAULT_CENTER, "contour": self.contour}
        context["widget"].update(
            lat_input=self.lat_input,
            lon_input=self.lon_input,
            config=json.dumps(config, separators=(",", ":")),
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates/ folder, which the default form renderer does not search.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))

    def value_from_datadict(self, data, files, name):
        return None
