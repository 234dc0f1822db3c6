"""The per-process index behind `territoires.zonages.lookup.zones_at`.

Built on first use (or at worker start, `portal.wsgi`) from every act, zone and commune
link (0.7 s of CPU and 20 MB for all of France with six professions), it then answers
without any query: commune → matches (merged results cached per commune and date), and the
QPV polygons as prepared geometries behind a vectorised bounding-box filter. It is dropped
when zoning rows are saved or deleted here (model signals and `zonages_changed`, connected by
`TerritoiresConfig.ready()`) and, for changes made by another process, re-checked against the
database as soon as the public data version moves (shared cache: at once; per-process
cache: within PORTAL_DATA_VERSION_RECHECK_SECONDS) and at least every
`ZONAGES_INDEX_RECHECK_SECONDS` (default 30; None: never), through
`portal.lib.index.RebuiltIndex`.
"""

from collections import defaultdict

import numpy as np
import shapely
from django.db.models import Count, Max, TextField
from django.db.models.functions import Cast

from portal.lib.index import RebuiltIndex, plain_rows
from territoires.models import Commune, Zonage, Zone, ZoneCommune
from territoires.zonages.rules import (
    ZoneMatch,
    active_ids,
    acts,
    gather,
    is_partial,
    merge,
    partial,
    zone_matches,
)

MAX_CACHED_RESULTS = 100_000


class _Index:
    """Built from plain tuples, never model instances or row dicts: all of France with six
    professions is 250,000 commune links, and a dict per link (its category's JSON decoded
    each time) took 7 s of CPU and 500 MB per process. Zones are read once, apart."""

    def __init__(self):
        self.acts = acts(Zonage.objects.order_by())
        whole = zone_matches(Zone.objects.order_by())  # a few thousand zones, one query
        parts = {}  # zone id -> its partial match, made once and shared by every link
        geojson = Zone.objects.filter(geometrie__isnull=False).order_by("id")
        # The polygons' text, parsed by GEOS in one call (no Python dict per coordinate).
        geojson = list(geojson.values_list("id", Cast("geometrie", TextField())))
        self.polygon_zones = {zone_id for zone_id, _ in geojson}
        communes = Commune.objects.order_by().values_list("id", "code", "parent__code")
        code_of, self.parent, self.children = {}, {}, defaultdict(list)
        for pk, code, parent_code in plain_rows(communes):
            code_of[pk] = code
            if parent_code:
                self.parent[code] = parent_code
                self.children[parent_code].append(code)
        self.per_commune = defaultdict(list)
        links = ZoneCommune.objects.order_by().values_list(
            "commune_id", "zone_id", "code_iris", "partiel"
        )
        polygon_zones = self.polygon_zones
        for commune_id, zone_id, code_iris, partiel in plain_rows(links):
            match = whole[zone_id]
            if is_partial(code_iris, zone_id in polygon_zones, partiel):
                match = parts.get(zone_id) or parts.setdefault(zone_id, partial(match))
            self.per_commune[code_of[commune_id]].append(match)
        for code, matches in self.per_commune.items():
            self.per_commune[code] = tuple(matches)  # smaller than a list, and read-only
        geometries = shapely.from_geojson([text for _, text in geojson], on_invalid="ignore")
        # A malformed polygon (read as None) must not break every lookup.
        valid = [i for i, geometry in enumerate(geometries) if geometry is not None]
        self.geometries = geometries[valid] if valid else np.array([], dtype=object)
        self.polygon_matches = [whole[geojson[i][0]] for i in valid]
        shapely.prepare(self.geometries)
        # A few thousand QPV at most: a vectorised bounding-box test beats building a Point
        # for an STRtree query.
        bounds = shapely.bounds(self.geometries).reshape(-1, 4)
        self.min_x, self.min_y, self.max_x, self.max_y = bounds.T.copy()
        self._active = {}
        self._results = {}  # (commune code, date) -> merged matches

    def active(self, date) -> frozenset[int]:
        if date not in self._active:
            if len(self._active) > 256:
                self._active.clear()
            self._active[date] = active_ids(self.acts, date)
        return self._active[date]

    def commune_matches(self, code) -> list[ZoneMatch]:
        return gather(code, self.per_commune, self.parent, self.children)

    def commune_result(self, code, date, without_polygons=False) -> tuple[ZoneMatch, ...]:
        """Merged matches of a commune on a date (cached); optionally without the polygon
        zones, which a point lookup decides by the point itself."""
        key = (code, date, without_polygons)
        if key not in self._results:
            if len(self._results) > MAX_CACHED_RESULTS:
                self._results.clear()
            matches = self.commune_matches(code)
            if without_polygons:
                matches = [m for m in matches if m.zone_id not in self.polygon_zones]
            self._results[key] = tuple(merge(matches, self.active(date)))
        return self._results[key]

    def point_matches(self, lon, lat) -> list[ZoneMatch]:
        inside_box = (self.min_x <= lon) & (lon <= self.max_x)
        inside_box &= (self.min_y <= lat) & (lat <= self.max_y)
        candidates = np.flatnonzero(inside_box)
        if len(candidates) == 0:
            return []
        hits = candidates[shapely.intersects_xy(self.geometries[candidates], lon, lat)]
        return [self.polygon_matches[i] for i in sorted(hits)]


def _stamp():
    """Cheap fingerprint of the zonings, compared by other processes to notice changes."""
    return tuple(Zonage.objects.aggregate(n=Count("id"), m=Max("modifie_le")).values())


_index = RebuiltIndex(
    _Index, _stamp, recheck_setting="ZONAGES_INDEX_RECHECK_SECONDS", name="zonages"
)


def get_index() -> _Index:
    return _index.get()


def reset_index(**kwargs):
    """Drop this process's index; the next lookup rebuilds it."""
    _index.drop()


def generation() -> int:
    """Changes each time the index is dropped (tests drop it after a rolled-back change)."""
    return _index.generation
