"""(lat, lon) → the commune, and the arrondissement municipal, containing the point.

An in-memory STRtree over the commune and arrondissement contours, built on first use in
each process or at worker start (`portal.wsgi`; 0.35 s of CPU and 15 MB for the 6,400
contours of Île-de-France + Grand Est) and then answering in microseconds with
no query. It is dropped when a contour is saved or deleted here (signals connected by
`TerritoiresConfig.ready()`, imports) and, for changes made by another process, re-checked
against the database every `LOCATOR_RECHECK_SECONDS` (default 30 s; None: never), through
`portal.lib.index.RebuiltIndex`.

    locate(lat, lon)        -> Commune | None   the most precise: the arrondissement in
                                                Paris/Lyon/Marseille (its `parent` is the
                                                commune), else the commune
    locate_place(lat, lon)  -> Place | None     commune and arrondissement, as instances
    locate_codes(lat, lon)  -> Codes | None     the same as INSEE codes, no query at all
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Count, Max, TextField
from django.db.models.functions import Cast

from portal.lib.index import RebuiltIndex, plain_rows
from territoires.models import Commune, Contour


@dataclass(frozen=True)
class Codes:
    commune: str
    arrondissement: str | None


@dataclass(frozen=True)
class Place:
    commune: Commune
    arrondissement: Commune | None

    @property
    def precise(self) -> Commune:
        return self.arrondissement or self.commune


class _Index:
    def __init__(self):
        parent_of = dict(plain_rows(Commune.objects.order_by().values_list("code", "parent__code")))
        rows = Contour.objects.filter(niveau=Contour.Niveau.COMMUNE).order_by()
        # The contours' GeoJSON text, parsed by GEOS in one call: no Python list per ring
        # and coordinate.
        rows = rows.values_list("code", Cast("geometrie", TextField()))
        codes, texts = [], []
        for code, text in plain_rows(rows, chunk_size=500):
            if code in parent_of:  # else the contour of a commune no longer in the COG
                codes.append(code)
                texts.append(text)
        geoms = shapely.from_geojson(texts, on_invalid="ignore") if texts else np.array([])
        del texts
        valid = [i for i, geom in enumerate(geoms) if geom is not None]
        self.geoms = geoms[valid].astype(object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        self.codes = [codes[i] for i in valid]
        # None for a commune, the commune's code for an arrondissement
        self.parents = [parent_of[code] for code in self.codes]

    def lookup(self, lon: float, lat: float) -> Codes | None:
        candidates = self.tree.query(shapely.Point(lon, lat))
        if len(candidates) == 0:
            return None
        hits = candidates[shapely.intersects_xy(self.geoms[candidates], lon, lat)]
        communes = [i for i in hits if self.parents[i] is None]
        arrondissements = [i for i in hits if self.parents[i] is not None]
        commune = self._best(communes, lon, lat)
        if commune is not None:
            code = self.codes[commune]
            arrondissements = [i for i in arrondissements if self.parents[i] == code]
        arrondissement = self._best(arrondissements, lon, lat)
        if commune is None and arrondissement is None:
            return None
        return Codes(
            commune=self.codes[commune] if commune is not None else self.parents[arrondissement],
            arrondissement=self.codes[arrondissement] if arrondissement is not None else None,
        )

    def _best(self, indexes, lon, lat):
        """Simplified neighbours may overlap a little: keep the one the point is deepest in."""
        if len(indexes) < 2:
            return indexes[0] if indexes else None
        point = shapely.Point(lon, lat)
        depth = shapely.distance(shapely.boundary(self.geoms[indexes]), point)
        return indexes[int(np.argmax(depth))]


def _stamp():
    return tuple(
        Contour.objects.filter(niveau=Contour.Niveau.COMMUNE)
        .aggregate(n=Count("id"), last=Max("modifie_le"))
        .values()
    )


_index = RebuiltIndex(_Index, _stamp, recheck_setting="LOCATOR_RECHECK_SECONDS", name="locator")


def invalidate(**kwargs):
    """Drop this process's index; the next lookup rebuilds it."""
    _index.drop()


def invalidate_on_commit():
    """For imports: drop the index now (same transaction) and once the change is committed."""
    _index.drop_on_commit()


def is_built() -> bool:
    return _index.built


def generation() -> int:
    """Changes each time the index is dropped (tests rebuild it after a rolled-back change)."""
    return _index.generation


def warm():
    """Build the index now (process start, tests) rather than on the first lookup."""
    return _index.get()


def _valid(lat, lon) -> bool:
    return (
        isinstance(lat, int | float)
        and isinstance(lon, int | float)
        and math.isfinite(lat)
        and math.isfinite(lon)
        and -90 <= lat <= 90
        and -180 <= lon <= 180
    )


def locate_codes(lat: float, lon: float) -> Codes | None:
    """INSEE codes of the commune (and arrondissement) containing the point, or None."""
    if not _valid(lat, lon):
        return None
    return _index.get().lookup(float(lon), float(lat))


def locate_place(lat: float, lon: float) -> Place | None:
    """Commune and arrondissement instances (with département, région, EPCI): from the
    cache, else one query."""
    codes = locate_codes(lat, lon)
    if codes is None:
        return None
    wanted = [code for code in (codes.commune, codes.arrondissement) if code]
    found = Commune.objects.by_codes(wanted)
    commune = found.get(codes.commune)
    if commune is None:
        return None
    return Place(commune=commune, arrondissement=found.get(codes.arrondissement))


def locate(lat: float, lon: float) -> Commune | None:
    """The most precise territory containing the point: arrondissement, else commune."""
    place = locate_place(lat, lon)
    return place.precise if place else None
