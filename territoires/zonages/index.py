"""The per-process index behind `territoires.zonages.lookup.zones_at`.

Built on first use from every act, zone and commune link (a few seconds for Île-de-France +
Grand Est with every profession), it then answers without any query: commune → matches
(merged results cached per commune and date), and the QPV polygons as prepared geometries
behind a vectorised bounding-box filter. It is dropped when zoning rows are saved or deleted
here (model signals and `zonages_changed`, connected by `TerritoiresConfig.ready()`) and, for
changes made by another process, re-checked against the database every
`ZONAGES_INDEX_RECHECK_SECONDS` (default 30; None: never), through
`portal.lib.index.RebuiltIndex`.
"""

from collections import defaultdict

import numpy as np
import shapely
from django.db.models import Count, Max
from shapely.geometry import shape

from portal.lib.index import RebuiltIndex
from territoires.models import Commune, Zonage, Zone, ZoneCommune
from territoires.zonages.rules import (
    ZoneMatch,
    active_ids,
    acts,
    commune_rows,
    gather,
    merge,
    zone_match,
)

MAX_CACHED_RESULTS = 100_000


class _Index:
    def __init__(self):
        self.acts = acts(Zonage.objects.order_by())
        self.per_commune = defaultdict(list)
        self.polygon_zones = set()
        for code, geometry, match in commune_rows(ZoneCommune.objects.order_by()):
            self.per_commune[code].append(match)
            if geometry:
                self.polygon_zones.add(match.zone_id)
        self.parent = {}
        self.children = defaultdict(list)
        for code, parent_code in Commune.objects.filter(parent__isnull=False).values_list(
            "code", "parent__code"
        ):
            self.parent[code] = parent_code
            self.children[parent_code].append(code)
        geometries, self.polygon_matches = [], []
        zones = Zone.objects.filter(geometrie__isnull=False).select_related("categorie", "zonage")
        for zone in zones.order_by("id"):
            try:
                geometry = shape(zone.geometrie)
            except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError):
                continue  # a malformed polygon must not break every lookup
            geometries.append(geometry)
            self.polygon_matches.append(zone_match(zone, partiel=False))
            self.polygon_zones.add(zone.id)
        self.geometries = np.array(geometries, dtype=object)
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


_index = RebuiltIndex(_Index, _stamp, recheck_setting="ZONAGES_INDEX_RECHECK_SECONDS")


def get_index() -> _Index:
    return _index.get()


def reset_index(**kwargs):
    """Drop this process's index; the next lookup rebuilds it."""
    _index.drop()


def generation() -> int:
    """Changes each time the index is dropped (tests drop it after a rolled-back change)."""
    return _index.generation
