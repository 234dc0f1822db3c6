"""Layers of the public maps: light outlines, a choropleth, clustered structure markers.

Page weight is what makes a map usable on a phone, so outlines are simplified and their
coordinates rounded (`portal.lib.maps.light_outlines`) once per process, and the heavy
layers (outlines of many communes, markers) are GeoJSON documents of their own, fetched by
static/portal/map-layers.js from cacheable URLs (`portal.lib.maps.remote_layer`); the page
only carries what depends on it (a choropleth's colours, by feature id).
Every layer is a `DataLayer` (JSON beside the map, never inside a template); popups are
built with `textContent`: names typed by agents are never parsed as HTML nor as templates.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

from portal.lib.maps import (
    LOCAL_ASSETS,
    MAP_CSS,
    MapParts,
    Outlines,
    geojson_layer,
    light_outline,
    light_outlines,
    new_map,
    remote_layer,
    render_map,
)
from portal.lib.numbers import french_number
from territoires.models import Contour

# Marker clusters need the map's own maxZoom when no tile layer gives one (tiles "none").
MAX_ZOOM = 18
COORD_DECIMALS = 4  # ≈ 10 m: enough for a marker or an outline on a public map
# Simplification tolerance in degrees, by use (≈ 300 m for a région, ≈ 150-200 m for
# communes: below a pixel at the zoom that shows a whole département; ≈ 40 m for a QPV or
# the one outline of a territorial page). Seine-et-Marne's 507 communes weigh 547 kB raw,
# 200 kB simplified.
TOLERANCE_DEPARTEMENTS = 0.003
TOLERANCE_COMMUNES = 0.0015
TOLERANCE_ZONAGES = 0.002  # communes simplified together: shared borders stay shared
TOLERANCE_DETAIL = TOLERANCE_COMMUNES / 4
# DSFR "bleu France" scale, from light to dark; grey for "no data".
PALETTE = ["#e3e3fd", "#cacafb", "#8585f6", "#5757c5", "#000091"]
NO_DATA = "#e5e5e5"
OUTLINE_STYLE = {"color": "#161616", "weight": 2, "fill": False}
COMMUNE_STYLE = {"color": "#666666", "weight": 0.6, "fillOpacity": 0, "fillColor": "#ffffff"}
QPV_STYLE = {"color": "#b34000", "weight": 1.5, "fillColor": "#fc5d00", "fillOpacity": 0.35}

_cache: dict[tuple, tuple[dict, Outlines]] = {}
_lock = threading.Lock()


def clear_outlines_cache() -> None:
    _cache.clear()


def outlines(niveau: str, codes, tolerance: float, *, together=False, stamps=None) -> Outlines:
    """Light outlines of the contours of `codes` that exist, kept per process.

    Keyed by level, codes, tolerance (and `together`, see `light_outlines`), and valid while
    the contours' `modifie_le` are those of the cached entry: one small query reads them, or
    none when the caller read them already with its own rows (`stamps`: {code: modifie_le},
    contours that exist only). The geometries are read and simplified only after a change.
    """
    codes = frozenset(codes)
    if stamps is None:
        stamps = dict(
            Contour.objects.filter(niveau=niveau, code__in=list(codes)).values_list(
                "code", "modifie_le"
            )
        )
    key = (niveau, codes, tolerance, together)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamps:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamps:
            return cached[1]
        rows = Contour.objects.filter(niveau=niveau, code__in=list(stamps)).values_list(
            "code", "geometrie"
        )
        light = light_outlines(dict(rows), tolerance, together=together)
        _cache[key] = (stamps, light)
    return light


def points_bounds(points) -> tuple[float, float, float, float] | None:
    points = [(lat, lon) for lat, lon in points if lat is not None and lon is not None]
    if not points:
        return None
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return (min(lons), min(lats), max(lons), max(lats))


def extra_header(parts: MapParts) -> SafeString:
    """`parts.header` without what every map loads (Leaflet, shim, map CSS).

    For a second map on a page that already has one: loading Leaflet twice would replace
    `L` and drop the plugins attached to it.
    """
    base = [
        static(MAP_CSS),
        *(
            static(LOCAL_ASSETS[k])
            for k in ("leaflet", "leaflet_css", "jquery", "portal_map_layers")
        ),
    ]
    lines = [line for line in parts.header.split("\n") if not any(url in line for url in base)]
    return mark_safe("\n".join(lines))


# --- Choropleth ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Classe:
    debut: float
    fin: float
    couleur: str
    libelle: str


def _nice_step(maximum: float, count: int) -> float:
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def classes(values, count: int = len(PALETTE)) -> list[Classe]:
    """Equal-interval classes with round bounds, from 0 to the largest value."""
    known = [v for v in values if v is not None]
    maximum = max(known, default=0)
    if maximum <= 0:
        return [Classe(0, 0, PALETTE[0], "0")]
    step = _nice_step(maximum, count)
    result, start = [], 0.0
    for index in range(count):
        end = step * (index + 1)
        low, high = french_number(start, 2, trim=True), french_number(end, 2, trim=True)
        label = f"de {low} à {high}" if index else f"jusqu'à {high}"
        result.append(Classe(start, end, PALETTE[index], label))
        if end >= maximum:
            break
        start = end
    return result


def colour(value, bins: list[Classe]) -> str:
    if value is None:
        return NO_DATA
    for classe in bins:
        if value <= classe.fin:
            return classe.couleur
    return bins[-1].couleur


CHOROPLETH_STYLE = {"color": "#3a3a3a", "weight": 1, "fillOpacity": 0.75}


def choropleth(fmap, url: str, values: dict[str, tuple[str, str]], name: str) -> None:
    """Outlines fetched from `url` filled by feature id: `values` = {code: (colour, text)},
    the text shown as tooltip. The outlines stay the same whatever the colours measure."""
    if not values:
        return
    join = {
        code: {"style": {"fillColor": colour}, "texte": text}
        for code, (colour, text) in values.items()
    }
    remote_layer(fmap, url, style=CHOROPLETH_STYLE, tooltip=[("", "texte")], join=join, name=name)


def choropleth_features(shapes: dict[str, dict], rows) -> list[dict]:
    """Features of `choropleth_inline` from (code, couleur, texte) rows; codes without
    outline skipped."""
    return [
        {
            "type": "Feature",
            "id": code,
            "geometry": shapes[code],
            "properties": {"couleur": couleur, "texte": texte},
        }
        for code, couleur, texte in rows
        if code in shapes
    ]


def choropleth_inline(fmap, features: list[dict], name: str, style: dict | None = None) -> None:
    """Areas carried by the page (« Où m'installer ? », one shape per answer) filled
    with `properties.couleur`, a tooltip with `properties.texte`; `style` for their
    outlines (thin for thousands of communes)."""
    if not features:
        return
    filled = [
        {**f, "properties": {**f["properties"], "style": {"fillColor": f["properties"]["couleur"]}}}
        for f in features
    ]
    geojson_layer(
        fmap,
        {"type": "FeatureCollection", "features": filled},
        style=style or CHOROPLETH_STYLE,
        tooltip=[("", "texte")],
        name=name,
    )


def outline_collection(geometries: dict[str, dict], names: dict[str, str]) -> dict:
    """A FeatureCollection of outlines by code (the feature's id), named by `names`."""
    features = [
        {
            "type": "Feature",
            "id": code,
            "geometry": geometry,
            "properties": {"nom": names.get(code, code)},
        }
        for code, geometry in sorted(geometries.items())
    ]
    return {"type": "FeatureCollection", "features": features}


def outline_layer(fmap, url: str, name: str, style: dict) -> None:
    """Outlines fetched from `url` (an `outline_collection`), their name as tooltip."""
    remote_layer(fmap, url, style=style, tooltip=[("", "nom")], name=name)


# --- Markers ------------------------------------------------------------------------------


def structure_points(lignes) -> dict:
    """GeoJSON points of the structures that have one (`lignes`: LigneCarte), with what a
    marker's popup shows; drawn clustered by map-layers.js."""
    features = [
        {
            "type": "Feature",
            "id": ligne.pk,
            "geometry": {
                "type": "Point",
                "coordinates": [
                    round(ligne.longitude, COORD_DECIMALS),
                    round(ligne.latitude, COORD_DECIMALS),
                ],
            },
            "properties": {
                "nom": ligne.nom,
                "type": ligne.type_libelle,
                "commune": ligne.commune,
                "aides": list(ligne.aides),
                "annee": ligne.annee,
            },
        }
        for ligne in lignes
        if ligne.latitude is not None and ligne.longitude is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def structure_markers(fmap, urls, name="Structures soutenues") -> None:
    """Clustered markers of the structures fetched from `urls` (`structure_points`)."""
    remote_layer(fmap, urls, kind="markers", name=name)


# --- One outline on the territorial pages -----------------------------------------------

# The territorial pages' outline: DSFR "bleu France".
CONTOUR_STYLE = {"color": "#000091", "weight": 2, "fillColor": "#6a6af4", "fillOpacity": 0.15}
# A département page shows ≈ 150 m a pixel, a commune page ≈ 10-20 m.
CONTOUR_TOLERANCE = {Contour.Niveau.COMMUNE: TOLERANCE_DETAIL / 4}


def contour_of(niveau: str, code: str) -> Contour | None:
    return Contour.objects.filter(niveau=niveau, code=code).first()


def contour_map(request, contour: Contour | None, label: str):
    """MapParts for `contour` fitted to its bbox, or None when no outline is known."""
    if contour is None:
        return None
    fmap = new_map(bounds=contour.bbox)
    tolerance = CONTOUR_TOLERANCE.get(contour.niveau, TOLERANCE_DETAIL)
    geometry = light_outline(contour.geometrie, tolerance)
    feature = {"type": "Feature", "geometry": geometry, "properties": {"nom": label}}
    geojson_layer(fmap, feature, style=CONTOUR_STYLE, tooltip=[("", "nom")], name=label)
    return render_map(fmap, request)
