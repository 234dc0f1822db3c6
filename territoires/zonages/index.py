"""The per-process index behind `territoires.zonages.lookup.zones_at`.

Built on first use from every act, zone and commune link (a few seconds for Île-de-France +
Grand Est with every profession), it then answers without any query: commune → matches
(merged results cached per commune and date), and the QPV polygons as prepared geometries
behind a vectorised bounding-box filter. It is dropped when zoning rows are saved or deleted
here (model signals, `zonages_changed`) and, for changes made by another process, re-checked
against the database every `ZONAGES_INDEX_RECHECK_SECONDS` (default 30; None: never).
"""

import threading
import time
from collections import defaultdict

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from shapely.geometry import shape

from territoires.models import CategorieZone, Commune, Zonage, Zone, ZoneCommune
from territoires.zonages.lookup import ZoneMatch, _active_ids, _acts, _gather, _merge, _rows
from territoires.zonages.signals import zonages_changed

MAX_CACHED_RESULTS = 100_000


class _Index:
    def __init__(self):
        self.stamp = _stamp()
        self.checked_at = time.monotonic()
        self.acts = _acts(Zonage.objects.order_by())
        self.per_commune = defaultdict(list)
        self.polygon_zones = set()
        for code, geometry, match in _rows(ZoneCommune.objects.order_by()):
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
            self.polygon_matches.append(_zone_match(zone, partiel=False))
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
            self._active[date] = _active_ids(self.acts, date)
        return self._active[date]

    def commune_matches(self, code) -> list[ZoneMatch]:
        return _gather(code, self.per_commune, self.parent, self.children)

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
            self._results[key] = tuple(_merge(matches, self.active(date)))
        return self._results[key]

    def point_matches(self, lon, lat) -> list[ZoneMatch]:
        inside_box = (self.min_x <= lon) & (lon <= self.max_x)
        inside_box &= (self.min_y <= lat) & (lat <= self.max_y)
        candidates = np.flatnonzero(inside_box)
        if len(candidates) == 0:
            return []
        hits = candidates[shapely.intersects_xy(self.geometries[candidates], lon, lat)]
        return [self.polygon_matches[i] for i in sorted(hits)]


def _zone_match(zone: Zone, partiel: bool) -> ZoneMatch:
    zonage, categorie = zone.zonage, zone.categorie
    return ZoneMatch(
        kind=zonage.kind,
        categorie=categorie.code,
        categorie_libelle=categorie.libelle,
        categorie_ordre=categorie.ordre,
        profession=zonage.profession or None,
        libelle=zone.libelle or categorie.libelle,
        code=zone.code,
        eligibilites=list(categorie.eligibilites or []),
        zonage_id=zonage.id,
        zonage_titre=zonage.titre,
        zonage_editeur=zonage.editeur,
        zonage_date=zonage.date_acte,
        zonage_url=zonage.url,
        demonstration=zonage.demonstration,
        partiel=partiel,
        zone_id=zone.id,
    )


def _stamp():
    """Cheap fingerprint of the zonings, compared by other processes to notice changes."""
    return tuple(Zonage.objects.aggregate(n=Count("id"), m=Max("modifie_le")).values())


_lock = threading.Lock()
_index: _Index | None = None


def get_index() -> _Index:
    global _index
    index = _index
    if index is not None:
        recheck = getattr(settings, "ZONAGES_INDEX_RECHECK_SECONDS", 30)
        if recheck is not None and time.monotonic() - index.checked_at > recheck:
            if _stamp() != index.stamp:
                index = None
            else:
                index.checked_at = time.monotonic()
    if index is None:
        with _lock:
            index = _index = _Index()
    return index


_generation = 0


def reset_index(**kwargs):
    """Drop this process's index; the next lookup rebuilds it."""
    global _index, _generation
    _index = None
    _generation += 1


def generation() -> int:
    """Changes each time the index is dropped (tests drop it after a rolled-back change)."""
    return _generation


for _model in (Zonage, CategorieZone, Zone, ZoneCommune):
    post_save.connect(reset_index, sender=_model, dispatch_uid=f"zones-reset-{_model.__name__}")
    post_delete.connect(reset_index, sender=_model, dispatch_uid=f"zones-del-{_model.__name__}")
zonages_changed.connect(reset_index, dispatch_uid="zones-reset-signal")
