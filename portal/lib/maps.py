"""Folium maps embedded in DSFR pages, with every asset served from our static files.

Folium's defaults load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs and write a
full HTML page (with `html, body { height: 100% }`). Here a map renders to three pieces
for a template: `header` (local CSS/JS links, in the page head), `html` (the map element)
and `script` (its inline code, carrying the request's CSP nonce). Usage:

    carte = new_map(bounds=contour.bbox)
    folium.GeoJson(contour.geometrie, name=commune.nom).add_to(carte)
    context["carte"] = render_map(carte, request)  # {% include "partials/carte.html" %}

Data never goes into a folium element. branca renders each element's script and then
renders the result again as a new Jinja2 template: a name typed by an agent or read from a
file (`{{7*7}}`, `{%`) would be evaluated on the server. Folium only declares the map
(tiles, bounds, our own data-free elements); layers are `DataLayer`s whose payload is
written with `json_script` after rendering and drawn by static/portal/map-layers.js, which
builds popups and tooltips with text nodes. `render_map` refuses any other element.

A heavy layer is not written into the page: its payload names a URL (`remote_layer`) that
map-layers.js fetches, answered by `layer_response` — GeoJSON built once per data version,
an ETag, and a year of `Cache-Control` since the version is part of the URL (`layer_version`).

The module also holds what every map of the project shares: the tile servers (`TILES`,
chosen by settings.MAP_TILES, also read by the admin's point widget) and the one outline
simplifier (`light_outlines`), which apps wrap in their per-process caches.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlencode

import folium
import numpy as np
import shapely
from branca.element import CssLink, JavascriptLink, MacroElement
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseNotModified
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import escape, json_script
from django.utils.http import parse_etags
from django.utils.safestring import SafeString, mark_safe
from folium.elements import JSCSSMixin
from jinja2 import Template
from shapely.geometry import shape

from portal.lib import dataversion
from portal.lib.csp import current_nonce

# Folium asset name -> local static path. Names are those of folium 0.20 and its plugins.
LOCAL_ASSETS = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    # Folium writes popups as `$(html)[0]`: a 20-line shim instead of jQuery.
    "jquery": "portal/folium-shim.js",
    "markerclusterjs": "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "vendor/leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "vendor/leaflet.markercluster/MarkerCluster.Default.css",
    "portal_map_layers": "portal/map-layers.js",
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


def current_tiles() -> dict | None:
    """The entry of TILES named by settings.MAP_TILES; None for 'none' (no tile server)."""
    return TILES.get(settings.MAP_TILES)


def leaflet_tiles() -> dict | None:
    """The same tiles for a script of ours: `L.tileLayer(url, {attribution, maxZoom})`."""
    tiles = current_tiles()
    if tiles is None:
        return None
    return {"url": tiles["tiles"], "attribution": tiles["attr"], "maxZoom": tiles["max_zoom"]}


# Every <script> gets the nonce, inline or not (a policy may come to require it for both).
_SCRIPT = re.compile(r"<script\b(?![^>]*\bnonce=)", re.IGNORECASE)


@dataclass(frozen=True)
class MapParts:
    header: SafeString
    html: SafeString
    script: SafeString
    name: str  # id of the map element, e.g. for a link "aller à la carte"


class StaticElement(MacroElement):
    """A map element of ours whose template holds code and generated ids only, never data."""


class DataLayer(JSCSSMixin, StaticElement):
    """A layer drawn by static/portal/map-layers.js from a JSON payload beside the map.

    `payload` is {"type": "geojson" | "markers" | "point", ...} (see map-layers.js), with
    its data inline or, for a heavy layer, the URL(s) to fetch it from. Its script names the
    map and the payload's element id, both generated by branca.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        portalMaps.draw({{ this._parent.get_name() }}, {{ this.get_name()|tojson }});
        {% endmacro %}"""
    )
    default_js = [("portal_map_layers", "/static/portal/map-layers.js")]

    def __init__(self, payload: dict):
        super().__init__()
        self._name = "DataLayer"
        self.payload = payload
        if payload.get("type") == "markers":
            self.default_js = [
                ("markerclusterjs", "/static/markercluster.js"),
                *self.default_js,
            ]
            self.default_css = [
                ("markerclustercss", "/static/MarkerCluster.css"),
                ("markerclusterdefaultcss", "/static/MarkerCluster.Default.css"),
            ]


def geojson_layer(fmap, data: dict, *, style: dict, tooltip=None, name: str = "") -> None:
    """Outlines of a GeoJSON object; `properties.style` of a feature overrides `style`;
    `tooltip` = [(label, property), …] shown as text ("" label: the value alone)."""
    if data:
        payload = {"type": "geojson", "name": name, "data": data, "style": style}
        payload["tooltip"] = [list(field) for field in tooltip or []]
        DataLayer(payload).add_to(fmap)


def remote_layer(
    fmap, urls, *, kind="geojson", style=None, tooltip=None, join=None, name=""
) -> None:
    """A layer fetched by map-layers.js from `urls` (one URL or several drawn as one layer).

    kind "geojson": features styled by `style` and their `properties.style`, `tooltip` as
    for `geojson_layer`; `join` = {feature id: properties} merged into the fetched features,
    for what depends on the page (a choropleth's colours) over outlines that do not.
    kind "markers": GeoJSON points (properties nom, type, commune, aides, annee), clustered.
    """
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        return
    payload = {"type": kind, "name": name, "urls": urls}
    if kind == "geojson":
        payload.update(style=style or {}, tooltip=[list(field) for field in tooltip or []])
        payload["join"] = join or {}
    DataLayer(payload).add_to(fmap)


# The elements that declare a map: no data reaches their templates.
ALLOWED_ELEMENTS = (folium.Map, folium.TileLayer, folium.map.FitBounds, StaticElement)


def new_map(*, bounds=None, location=(47.5, 4.0), zoom_start=7, **kwargs) -> folium.Map:
    """A folium map with the tiles of settings.MAP_TILES ('ign', 'osm' or 'none').

    `bounds` = (min_lon, min_lat, max_lon, max_lat), as `Contour.bbox`, fits the view.
    Without tiles (offline, or 'none') the outlines drawn on the map stay readable.
    """
    fmap = folium.Map(
        location=list(location), zoom_start=zoom_start, tiles=None, control_scale=True, **kwargs
    )
    tiles = current_tiles()
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
                    "(paquet npm + STATICFILES_DIRS) à portal.lib.maps.LOCAL_ASSETS."
                )
            url = static(LOCAL_ASSETS[name])
            if isinstance(child, CssLink):
                tags.append(f'<link rel="stylesheet" href="{url}">')
            else:
                tags.append(f'<script src="{url}"></script>')
        elif name not in skipped:
            tags.append(child.render())
    return tags


def _check_elements(fmap) -> list[DataLayer]:
    elements = list(_walk(fmap))
    if any(isinstance(element, folium.Icon) for element in elements):
        raise ImproperlyConfigured(
            "folium.Icon dépend de Font Awesome, non servi : utilisez une DataLayer "
            "(marqueur par défaut de Leaflet)."
        )
    layers = []
    for element in elements:
        if not isinstance(element, ALLOWED_ELEMENTS):
            raise ImproperlyConfigured(
                f"Élément de carte « {type(element).__name__} » refusé : folium relit son "
                "texte comme un gabarit Jinja2. Passez les données par portal.lib.maps.DataLayer."
            )
        if isinstance(element, DataLayer):
            layers.append(element)
    return layers


def _stable_ids(fmap, request) -> None:
    """Element ids numbered in page order instead of branca's random ones: a page rendered
    twice is the same bytes, so its ETag holds on every worker, cached or not."""
    if request is None:
        return
    start = getattr(request, "_portal_map_elements", 0)
    elements = list(_walk(fmap))
    for number, element in enumerate(elements, start):
        element._id = f"{number:012x}"
    request._portal_map_elements = start + len(elements)


def render_map(fmap: folium.Map, request=None, nonce: str | None = None) -> MapParts:
    """Render `fmap` into pieces for a DSFR template; every script gets the CSP nonce
    (the request's, unless `nonce` is given).

    The layers' JSON is appended to the map's HTML after branca has rendered everything,
    so no template engine ever reads it.
    """
    layers = _check_elements(fmap)
    _stable_ids(fmap, request)
    figure = fmap.get_root()
    figure.render()
    header = "\n".join(_local_header(fmap))
    html = figure.html.render()
    html += "".join(json_script(layer.payload, layer.get_name()) for layer in layers)
    script = figure.script.render()

    if nonce is None:
        nonce = _request_nonce(request)
    attribute = _nonce_attribute(nonce)

    def with_nonce(text):
        return _SCRIPT.sub(f"<script{attribute}", text)

    return MapParts(
        header=mark_safe(with_nonce(header)),
        html=mark_safe(with_nonce(html)),
        script=mark_safe(f"<script{attribute}>{with_nonce(script)}</script>"),
        name=fmap.get_name(),
    )


def _request_nonce(request) -> str:
    return str(getattr(request, "csp_nonce", None) or current_nonce() or "")


def _nonce_attribute(nonce: str) -> str:
    return f' nonce="{escape(nonce)}"' if nonce else ""


_NONCE_MARK = "\x00nonce\x00"
_RENDERED: dict[tuple[str, int, str], tuple[MapParts, int]] = {}


RENDERED_KEPT = 128


def forget_rendered() -> None:
    """Tests: a rolled-back transaction can bring an earlier data version back."""
    _RENDERED.clear()


def render_constant(key: str, build, request=None) -> MapParts:
    """`render_map(build(), request)` for a map that reads nothing but what `key` names (a
    data version in the key for one that reads data), rendered once per process; each
    request gets its own nonce and the element ids that follow the page's earlier maps."""
    start = getattr(request, "_portal_map_elements", 0)
    memo_key = (key, start, settings.MAP_TILES)  # every map reads the tiles' setting
    memo = _RENDERED.get(memo_key)
    if memo is None:
        if len(_RENDERED) >= RENDERED_KEPT:
            _RENDERED.clear()  # old versions' maps
        probe = SimpleNamespace(_portal_map_elements=start)
        parts = render_map(build(), probe, nonce=_NONCE_MARK)
        memo = _RENDERED[memo_key] = (parts, probe._portal_map_elements - start)
    parts, count = memo
    if request is not None:
        request._portal_map_elements = start + count
    mark, attribute = _nonce_attribute(_NONCE_MARK), _nonce_attribute(_request_nonce(request))
    return MapParts(
        header=mark_safe(parts.header.replace(mark, attribute)),
        html=mark_safe(parts.html.replace(mark, attribute)),
        script=mark_safe(parts.script.replace(mark, attribute)),
        name=parts.name,
    )


# --- Light outlines -------------------------------------------------------------------------

# shapely.coverage_simplify removes triangles (Visvalingam-Whyatt) whose size is about its
# tolerance: twice a Douglas-Peucker distance gives the same look.
COVERAGE_FACTOR = 2


@dataclass(frozen=True)
class Outlines:
    """Light GeoJSON geometries by code, and the box around them all (None when empty)."""

    shapes: dict[str, dict]
    bounds: tuple[float, float, float, float] | None


def coordinate_decimals(tolerance: float) -> int:
    """3 decimals (≈ 100 m) for a simplification of 100 m or more, 4 (≈ 10 m) below."""
    return 3 if tolerance >= 0.001 else 4


def light_outlines(geometries: dict, tolerance: float, *, together: bool = False) -> Outlines:
    """{code: GeoJSON geometry} simplified by `tolerance` degrees and rounded to its scale.

    Page weight is what makes a map usable on a phone. Topology is kept; `together`
    simplifies neighbours as one coverage so their shared borders stay shared (no gap once
    rounded), one by one when they overlap. Unreadable geometries are left out.
    """
    codes, shapes = [], []
    for code, geometry in geometries.items():
        try:
            shapes.append(shape(geometry))
        except (TypeError, ValueError, KeyError, AttributeError, shapely.errors.ShapelyError):
            continue
        codes.append(code)
    if not shapes:
        return Outlines({}, None)
    shapes = np.array(shapes, dtype=object)
    if together and shapely.coverage_is_valid(shapes):
        shapes = shapely.coverage_simplify(shapes, COVERAGE_FACTOR * tolerance)
    else:
        shapes = shapely.simplify(shapes, tolerance, preserve_topology=True)
    decimals = coordinate_decimals(tolerance)
    shapes = shapely.transform(shapes, lambda xy: np.round(xy, decimals))
    light = [json.loads(text) for text in shapely.to_geojson(shapes)]
    bounds = shapely.total_bounds(shapes)
    return Outlines(
        dict(zip(codes, light, strict=True)),
        None if np.isnan(bounds).any() else tuple(bounds.tolist()),
    )


def light_outline(geometry: dict | None, tolerance: float) -> dict | None:
    """One GeoJSON geometry simplified and rounded as by `light_outlines`; None if unreadable."""
    return light_outlines({"": geometry}, tolerance).shapes.get("") if geometry else None


# --- Layer endpoints ------------------------------------------------------------------------

LAYER_MAX_AGE = 365 * 24 * 3600  # the URL changes with the data: a cached copy is never stale
STALE_MAX_AGE = 60  # an old version's URL answers today's data, briefly cacheable
LAYER_CONTENT_TYPE = "application/geo+json"
# What json_script escapes in JSON put in a page; the layers' bodies are escaped the same.
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def layer_version() -> str:
    """The version part of a layer's URL: the data version and today's date (layers show
    what is in force on the day, e.g. QPV perimeters)."""
    return f"{dataversion.current()}-{timezone.localdate():%Y%m%d}"


def canonical_query(request, names) -> str:
    """The parameters `names` of the request in a stable order ('' without any): one URL,
    cache entry and ETag per set of filters."""
    pairs = [(k, v) for k in names for v in request.GET.getlist(k) if v]
    return urlencode(sorted(pairs))


def layer_response(request, version: str, build, *, query: str = "") -> HttpResponse:
    """The GeoJSON answer of a layer endpoint whose URL carries `version`.

    `build()` returns the GeoJSON object, or an HttpResponse (404, 400) to send as it is.
    `query`: the canonical query string of the filters the layer depends on (others are
    ignored: they must not multiply cache entries).
    The body is kept in the cache by data version, path and filters; the ETag names the
    same key, so a revalidation (If-None-Match) is a 304 without building anything. A URL
    of another version (a page cached before a change) gets the current data with a short
    max-age rather than a redirect: one round trip, and the immutable URL stays truthful.
    """
    current = layer_version()
    match = request.resolver_match
    args = sorted((k, str(v)) for k, v in match.kwargs.items() if k != "version")
    key = json.dumps([current, match.view_name, args, query])
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    if version == current:
        cache_control = f"public, max-age={LAYER_MAX_AGE}, immutable"
    else:
        cache_control = f"public, max-age={STALE_MAX_AGE}"
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        body = cache.get(f"portal:layer:{digest}")
        if body is None:
            data = build()
            if isinstance(data, HttpResponse):
                return data
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            body = text.translate(JSON_ESCAPES).encode()
            cache.set(f"portal:layer:{digest}", body, timeout=None)
        response = HttpResponse(body, content_type=LAYER_CONTENT_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response
