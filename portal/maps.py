"""Folium maps embedded in DSFR pages, with every asset served from our static files.

Folium's defaults load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs and write a
full HTML page (with `html, body { height: 100% }`). Here a map renders to three pieces
for a template: `header` (local CSS/JS links, in the page head), `html` (the map element)
and `script` (its inline code, carrying the request's CSP nonce). Usage:

    carte = new_map(bounds=contour.bbox)
    folium.GeoJson(contour.geometrie, name=commune.nom).add_to(carte)
    context["carte"] = render_map(carte, request)  # {% include "partials/carte.html" %}

Marker icons: use Leaflet's default marker, `folium.CircleMarker` or `folium.DivIcon`;
`folium.Icon` needs Font Awesome/awesome-markers, which are not served (refused below).
"""

import re
from dataclasses import dataclass

import folium
from branca.element import CssLink, JavascriptLink
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.security import current_nonce

# Folium asset name -> local static path. Names are those of folium 0.20 and its plugins.
LOCAL_ASSETS = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    # Folium writes popups as `$(html)[0]`: a 20-line shim instead of jQuery.
    "jquery": "portal/folium-shim.js",
    "markerclusterjs": "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "vendor/leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "vendor/leaflet.markercluster/MarkerCluster.Default.css",
}
# Listed by folium.Map for features we do not use (Bootstrap UI, folium.Icon).
DROPPED_ASSETS = {
    "bootstrap",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers",
    "awesome_markers_css",
    "awesome_markers_font_css",
    "awesome_rotate_css",
}
MAP_CSS = "portal/maps.css"

IGN_PLAN_URL = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
    "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
TILES = {
    "ign": {
        "tiles": IGN_PLAN_URL,
        "attr": "Plan IGN — IGN-F / Géoplateforme",
        "name": "Plan IGN",
        "max_zoom": 19,
    },
    "osm": {
        "tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attr": (
            '&copy; <a href="https://www.openstreetmap.org/copyright">'
            "les contributeurs d'OpenStreetMap</a>"
        ),
        "name": "OpenStreetMap",
        "max_zoom": 19,
    },
}
# Every <script> gets the nonce, inline or not (a policy may come to require it for both).
_SCRIPT = re.compile(r"<script\b(?![^>]*\bnonce=)", re.IGNORECASE)


@dataclass(frozen=True)
class MapParts:
    header: SafeString
    html: SafeString
    script: SafeString
    name: str  # id of the map element, e.g. for a link "aller à la carte"


def new_map(*, bounds=None, location=(47.5, 4.0), zoom_start=7, **kwargs) -> folium.Map:
    """A folium map with the tiles of settings.MAP_TILES ('ign', 'osm' or 'none').

    `bounds` = (min_lon, min_lat, max_lon, max_lat), as `Contour.bbox`, fits the view.
    Without tiles (offline, or 'none') the outlines drawn on the map stay readable.
    """
    fmap = folium.Map(
        location=list(location), zoom_start=zoom_start, tiles=None, control_scale=True, **kwargs
    )
    tiles = TILES.get(settings.MAP_TILES)
    if tiles is not None:
        folium.TileLayer(control=False, **tiles).add_to(fmap)
    if bounds is not None:
        min_lon, min_lat, max_lon, max_lat = bounds
        fmap.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    return fmap


def _walk(element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _local_header(fmap) -> list[str]:
    """The header of a rendered map with CDN links replaced by local ones.

    The map's own header piece (viewport, `html, body` sizes) is a full-page layout,
    replaced by portal/maps.css; header pieces of plugins (legends, styles) are kept.
    """
    skipped = {"meta_http", fmap.get_name()}
    tags = [f'<link rel="stylesheet" href="{static(MAP_CSS)}">']
    for name, child in fmap.get_root().header._children.items():
        if isinstance(child, JavascriptLink | CssLink):
            if name in DROPPED_ASSETS:
                continue
            if name not in LOCAL_ASSETS:
                raise ImproperlyConfigured(
                    f"Ressource de carte « {name} » non servie localement : ajoutez-la "
                    "(paquet npm + STATICFILES_DIRS) à portal.maps.LOCAL_ASSETS."
                )
            url = static(LOCAL_ASSETS[name])
            if isinstance(child, CssLink):
                tags.append(f'<link rel="stylesheet" href="{url}">')
            else:
                tags.append(f'<script src="{url}"></script>')
        elif name not in skipped:
            tags.append(child.render())
    return tags


def render_map(fmap: folium.Map, request=None) -> MapParts:
    """Render `fmap` into pieces for a DSFR template; every script gets the CSP nonce."""
    if any(isinstance(element, folium.Icon) for element in _walk(fmap)):
        raise ImproperlyConfigured(
            "folium.Icon dépend de Font Awesome, non servi : utilisez le marqueur par "
            "défaut, folium.CircleMarker ou folium.DivIcon."
        )
    figure = fmap.get_root()
    figure.render()
    header = "\n".join(_local_header(fmap))
    html = figure.html.render()
    script = figure.script.render()

    nonce = getattr(request, "csp_nonce", None) or current_nonce()
    attribute = f' nonce="{escape(nonce)}"' if nonce else ""

    def with_nonce(text):
        return _SCRIPT.sub(f"<script{attribute}", text)

    return MapParts(
        header=mark_safe(with_nonce(header)),
        html=mark_safe(with_nonce(html)),
        script=mark_safe(f"<script{attribute}>{with_nonce(script)}</script>"),
        name=fmap.get_name(),
    )
