"""Varied mode of bench/load.py: for each page, a list of distinct paths, so that caching one
URL (or a few) proves nothing.

`dump_material(path)` runs inside Django (a subprocess of load.py, production settings) and
writes what the lists are made of: commune codes, départements with their région, régions,
random points inside loaded commune outlines, the map filters' choices. `build(name, …)` is
pure (unit-tested in tests/test_bench_varied.py): it combines that material into paths,
shuffled with a seed. The lists are walked by bench/varied.lua.

Populations (distinct URLs a page can be asked for; the list is a seeded sample when larger):
- finder and aids API: every commune (and municipal arrondissement) × profession;
- lieu API: random points inside the communes whose outline is loaded;
- département map: every département × (no filter, one kind, one status, a first year, a
  kind and a status) — the map's filters;
- « Où m'installer ? »: every profession × (France, every région, every département);
- bilan and statistics API: every région (and « all »), every département when the page
  offers a `departement` filter; these pages have no other filter, so the list is short and
  is walked whole, again and again (the report says how many distinct URLs there were).
"""

from __future__ import annotations

import itertools
import json
import random
from urllib.parse import urlencode

FINDER = "/aides/"
YEARS = range(2015, 2027)


# --- Inside Django ---------------------------------------------------------------------------
def _inside(lon: float, lat: float, geometry: dict) -> bool:
    """Even-odd ray casting on a GeoJSON (Multi)Polygon: holes count, as they should."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    crossings = 0
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in itertools.pairwise(ring):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    crossings += 1
    return crossings % 2 == 1


def random_points(contours, count: int, rng: random.Random) -> list[tuple[float, float]]:
    """`count` points drawn in random outlines' bounding boxes and kept when inside the outline
    (after 20 misses, the outline's own interior point)."""
    points = []
    while contours and len(points) < count:
        contour = rng.choice(contours)
        for _ in range(20):
            lon = rng.uniform(contour.min_lon, contour.max_lon)
            lat = rng.uniform(contour.min_lat, contour.max_lat)
            if _inside(lon, lat, contour.geometrie):
                break
        else:
            lon, lat = contour.point_lon, contour.point_lat
        points.append((round(lat, 5), round(lon, 5)))
    return points


def dump_material(path: str, points: int = 20_000, seed: int = 13) -> None:
    from aides.choices import TypeStructure
    from structures.choices import Statut
    from territoires.models import Commune, Contour, Departement, Profession, Region

    contours = list(
        Contour.objects.filter(niveau=Contour.Niveau.COMMUNE).only(
            "geometrie", "min_lon", "min_lat", "max_lon", "max_lat", "point_lon", "point_lat"
        )
    )
    material = {
        "communes": sorted(Commune.objects.values_list("code", flat=True)),
        "professions": [p.value for p in Profession],
        "regions": sorted(Region.objects.values_list("code", flat=True)),
        "departements": dict(
            Departement.objects.order_by("code").values_list("code", "region__code")
        ),
        "points": random_points(contours, points, random.Random(seed)),
        "types": [t.value for t in TypeStructure],
        "statuts": [s.value for s in Statut],
    }
    with open(path, "w") as file:
        json.dump(material, file)


# --- Pure: the lists -------------------------------------------------------------------------
def _path(base: str, params: dict) -> str:
    query = urlencode(list(params.items()))
    return f"{base}?{query}" if query else base


def _places(material: dict, offers: set[str]) -> list[dict]:
    """Région filters (« all » included), plus département ones when the page offers them."""
    places = [{"region": ""}] + [{"region": code} for code in material["regions"]]
    if "departement" in offers:
        for code, region in material["departements"].items():
            places.append({"departement": code})
            if "region" in offers:
                places.append({"region": region, "departement": code})
    return places


def population(name: str, material: dict, offers: set[str] = frozenset()) -> list[str]:
    """Every distinct path of the page `name` (see the module's docstring), in a stable order.
    `offers`: the filters the page offers (read from the page or the OpenAPI description)."""
    if name in ("recherche", "api-aides"):
        base = FINDER if name == "recherche" else "/api/v1/aides"
        extra = {"etape": "installation"} if name == "recherche" else {}
        return [
            _path(base, {"commune": commune, "profession": profession, **extra})
            for commune in material["communes"]
            for profession in material["professions"]
        ]
    if name == "api-lieu":
        return sorted(
            {_path("/api/v1/lieu", {"lat": lat, "lon": lon}) for lat, lon in material["points"]}
        )
    if name == "carte-departement":
        filters = [{}]
        filters += [{"type": t} for t in material["types"]]
        filters += [{"statut": s} for s in material["statuts"]]
        filters += [{"annee_min": y} for y in YEARS]
        filters += [
            {"type": t, "statut": s} for t in material["types"] for s in material["statuts"]
        ]
        return [
            _path(f"/carte/{code}/", params)
            for code in material["departements"]
            for params in filters
        ]
    if name in ("bilan", "api-statistiques"):
        base = "/bilan/" if name == "bilan" else "/api/v1/statistiques"
        return [_path(base, place) for place in _places(material, offers)]
    if name in ("installation", "installation-france"):
        # Every profession × (France, each région, each département).
        places = [{}] + [{"region": code} for code in material["regions"]]
        places += [{"departement": code} for code in material["departements"]]
        return [
            _path("/aides/ou-minstaller/", {"profession": profession, **place})
            for profession in material["professions"]
            for place in places
        ]
    if name == "plafond":
        return ["/sante"]
    raise ValueError(f"page inconnue : {name}")


def build(name: str, material: dict, size: int, seed: int, offers=frozenset()) -> list[str]:
    """A seeded shuffle of the page's population, cut to `size` paths (all of them if fewer)."""
    paths = population(name, material, set(offers))
    random.Random(f"{seed}-{name}").shuffle(paths)
    return paths[:size]
