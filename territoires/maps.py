"""Layers of the public maps: light outlines, a choropleth, clustered structure markers.

Page weight is what makes a map usable on a phone, so outlines are simplified and their
coordinates rounded (≈ 10 m) once per process, and markers are one compact array read by
a small script (static/portal/map-layers.js) instead of one JavaScript block per marker.
Every layer is a `DataLayer` (JSON beside the map, never inside a template); popups are
built with `textContent`: names typed by agents are never parsed as HTML nor as templates.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import shapely
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from shapely.geometry import mapping, shape

from portal.lib.maps import (
    LOCAL_ASSETS,
    MAP_CSS,
    DataLayer,
    MapParts,
    geojson_layer,
    new_map,
    render_map,
)
from territoires.models import Contour

# Marker clusters need the map's own maxZoom when no tile layer gives one (tiles "none").
MAX_ZOOM = 18
COORD_DECIMALS = 4  # ≈ 10 m: enough for a marker or an outline on a public map
# Simplification tolerance in degrees, by use (≈ 300 m for a région, ≈ 150 m for communes:
# below a pixel at the zoom that shows a whole département). Seine-et-Marne's 507 communes
# weigh 547 kB raw, 200 kB simplified.
TOLERANCE_DEPARTEMENTS = 0.003
TOLERANCE_COMMUNES = 0.0015
# DSFR "bleu France" scale, from light to dark; grey for "no data".
PALETTE = ["#e3e3fd", "#cacafb", "#8585f6", "#5757c5", "#000091"]
NO_DATA = "#e5e5e5"
OUTLINE_STYLE = {"color": "#161616", "weight": 2, "fill": False}
COMMUNE_STYLE = {"color": "#666666", "weight": 0.6, "fillOpacity": 0, "fillColor": "#ffffff"}
QPV_STYLE = {"color": "#b34000", "weight": 1.5, "fillColor": "#fc5d00", "fillOpacity": 0.35}

_cache: dict[tuple, tuple] = {}
_lock = threading.Lock()


def light(geometry: dict, tolerance: float) -> dict:
    """`geometry` simplified (topology kept), coordinates rounded to the tolerance's scale.

    Rounding to 3 decimals (≈ 100 m) for a 150 m simplification, 4 (≈ 10 m) for finer ones.
    """
    decimals = COORD_DECIMALS - 1 if tolerance >= 0.001 else COORD_DECIMALS
    geom = shape(geometry).simplify(tolerance, preserve_topology=True)
    geom = shapely.transform(geom, lambda coords: coords.round(decimals))
    return mapping(geom)


def outlines(niveau: str, codes, tolerance: float) -> dict[str, dict]:
    """{code: light geometry} of the contours of `codes` that exist (1 or 2 queries).

    The light shapes are kept per process and reused while the contour's `modifie_le`
    is unchanged; only missing or changed ones are read (the big query) and simplified.
    """
    stamps = dict(
        Contour.objects.filter(niveau=niveau, code__in=list(codes)).values_list(
            "code", "modifie_le"
        )
    )
    result, missing = {}, []
    for code, stamp in stamps.items():
        cached = _cache.get((niveau, code, tolerance))
        if cached is not None and cached[0] == stamp:
            result[code] = cached[1]
        else:
            missing.append(code)
    if missing:
        rows = Contour.objects.filter(niveau=niveau, code__in=missing).values_list(
            "code", "modifie_le", "geometrie"
        )
        with _lock:
            for code, stamp, geometry in rows:
                result[code] = light(geometry, tolerance)
                _cache[(niveau, code, tolerance)] = (stamp, result[code])
    return result


def bounds_of(geometries) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) of GeoJSON geometries, as `Contour.bbox`."""
    shapes = [shape(g) for g in geometries if g]
    if not shapes:
        return None
    return tuple(shapely.total_bounds(shapes).tolist())


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


def number(value: float) -> str:
    """French figure: "1 704 316", "3,11", "0,5"."""
    text = f"{int(value):,}" if value == int(value) else f"{value:,.2f}".rstrip("0")
    return text.replace(",", "\u202f").replace(".", ",")


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
        label = f"de {number(start)} à {number(end)}" if index else f"jusqu'à {number(end)}"
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


def choropleth(fmap, features: list[dict], name: str) -> None:
    """Départements filled with `properties.couleur`, a tooltip with `properties.texte`."""
    if not features:
        return
    filled = [
        {**f, "properties": {**f["properties"], "style": {"fillColor": f["properties"]["couleur"]}}}
        for f in features
    ]
    geojson_layer(
        fmap,
        {"type": "FeatureCollection", "features": filled},
        style={"color": "#3a3a3a", "weight": 1, "fillOpacity": 0.75},
        tooltip=[("", "texte")],
        name=name,
    )


def outline_layer(fmap, geometries: dict[str, dict], names: dict[str, str], name, style):
    features = [
        {"type": "Feature", "geometry": geometry, "properties": {"nom": names.get(code, code)}}
        for code, geometry in sorted(geometries.items())
    ]
    if features:
        geojson_layer(
            fmap,
            {"type": "FeatureCollection", "features": features},
            style=style,
            tooltip=[("", "nom")],
            name=name,
        )


# --- Markers ------------------------------------------------------------------------------


def structure_markers(fmap, lignes, name="Structures soutenues") -> None:
    """One clustered marker per structure that has a point (`lignes`: LigneCarte)."""
    kinds, communes, aids = {}, {}, {}
    data = []
    for ligne in lignes:
        if ligne.latitude is None or ligne.longitude is None:
            continue
        kind = kinds.setdefault(ligne.type_libelle, len(kinds))
        aid_ids = [aids.setdefault(a, len(aids)) for a in ligne.aides]
        data.append(
            [
                round(ligne.latitude, COORD_DECIMALS),
                round(ligne.longitude, COORD_DECIMALS),
                ligne.nom,
                kind,
                communes.setdefault(ligne.commune, len(communes)),
                aid_ids,
                ligne.annee,
            ]
        )
    if not data:
        return
    # Rows are [lat, lon, name, kind index, commune index, aid indexes, year]; each label
    # is sent once, in its table.
    payload = {"type": "markers", "name": name, "rows": data}
    payload.update(kinds=list(kinds), communes=list(communes), aids=list(aids))
    DataLayer(payload).add_to(fmap)


# --- One outline on the territorial pages -----------------------------------------------

# The territorial pages' outline: DSFR "bleu France".
CONTOUR_STYLE = {"color": "#000091", "weight": 2, "fillColor": "#6a6af4", "fillOpacity": 0.15}


def contour_of(niveau: str, code: str) -> Contour | None:
    return Contour.objects.filter(niveau=niveau, code=code).first()


def contour_map(request, contour: Contour | None, label: str):
    """MapParts for `contour` fitted to its bbox, or None when no outline is known."""
    if contour is None:
        return None
    fmap = new_map(bounds=contour.bbox)
    feature = {"type": "Feature", "geometry": contour.geometrie, "properties": {"nom": label}}
    geojson_layer(fmap, feature, style=CONTOUR_STYLE, tooltip=[("", "nom")], name=label)
    return render_map(fmap, request)
