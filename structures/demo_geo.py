"""Where to put demonstration records so that their *derived* flags come out as planned.

Records meant to be in a QPV get a point inside a real QPV 2024 polygon; rural ones a
point in a commune of the rural zoning in force (the FRR classification when imported);
the others a point in an ordinary commune, away from both. Every candidate point is checked
with the very services that derive the flags (`structures.derivation`,
`territoires.locator`), so the flags are never typed in.
Points come from a Halton sequence over the shape's bounding box: deterministic, spread
out, no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from django.utils import timezone
from shapely.geometry import Point, shape

from structures import derivation
from structures.validation import point_problem
from territoires.locator import locate_codes
from territoires.models import Commune, Contour, Zonage, ZonageKind, Zone, ZoneCommune

QPV, RURALE, AUCUNE = "qpv", "rurale", "aucune"
MAX_TRIES = 400


@dataclass(frozen=True)
class Placement:
    commune: Commune
    latitude: float | None
    longitude: float | None


def halton(index: int, base: int) -> float:
    result, fraction = 0.0, 1.0
    while index > 0:
        fraction /= base
        result += fraction * (index % base)
        index //= base
    return result


def category(derived: derivation.Derived) -> str | None:
    if derived.en_qpv and not derived.en_zone_rurale:
        return QPV
    if derived.en_zone_rurale and not derived.en_qpv:
        return RURALE
    if not derived.en_qpv and not derived.en_zone_rurale:
        return AUCUNE
    return None


class Placer:
    """Hands out the k-th valid place of a category in a département."""

    def __init__(self, region_code: str):
        today = timezone.localdate()
        active = Zonage.objects.in_force_on(today)
        self.qpv = {}  # département code → [(zone code, geometry)]
        for zone in Zone.objects.filter(
            zonage__in=active.filter(kind=ZonageKind.QPV), geometrie__isnull=False
        ).order_by("code", "pk"):
            dep = _qpv_departement(zone.code)
            if dep:
                self.qpv.setdefault(dep, []).append((zone.code, shape(zone.geometrie)))
        # Partial rows (« FRR bénéficiaire partiellement ») set no flag: not rural here.
        rural_codes = set(
            ZoneCommune.objects.filter(
                zone__zonage__in=active.filter(kind=ZonageKind.RURAL), partiel=False
            ).values_list("commune__code", flat=True)
        )
        communes = list(
            Commune.objects.filter(region__code=region_code)
            .select_related("departement", "parent")
            .order_by("code")
        )
        self.by_code = {c.code: c for c in communes}
        with_children = {c.parent.code for c in communes if c.parent_id}
        contours = dict(
            Contour.objects.filter(
                niveau=Contour.Niveau.COMMUNE, code__in=[c.code for c in communes]
            ).values_list("code", "geometrie")
        )
        self.has_contours = bool(contours)
        self.shapes = {code: shape(geom) for code, geom in contours.items()}
        self.rural, self.plain = {}, {}
        for commune in sorted(communes, key=lambda c: (-(c.population or 0), c.code)):
            if commune.code in with_children and any(
                child in self.shapes for child in self._children(communes, commune)
            ):
                continue  # Paris: place in arrondissements, which have their own outlines
            target = self.rural if commune.code in rural_codes else self.plain
            target.setdefault(commune.departement.code, []).append(commune)
        for dep in self.rural:
            self.rural[dep].sort(key=lambda c: c.code)
        self._state: dict[tuple, _Search] = {}

    def locate(self, lat, lon) -> Commune | None:
        """The locator's answer, resolved from the communes already in memory."""
        codes = locate_codes(lat, lon)
        if codes is None:
            return None
        return self.by_code.get(codes.arrondissement or codes.commune)

    @staticmethod
    def _children(communes, parent):
        return [c.code for c in communes if c.parent_id == parent.pk]

    def has_qpv(self) -> bool:
        return bool(self.qpv)

    def has_rural(self) -> bool:
        return bool(self.rural)

    def rural_communes(self) -> list[Commune]:
        return [c for dep in sorted(self.rural) for c in self.rural[dep]]

    def plain_communes(self) -> list[Commune]:
        return [c for dep in sorted(self.plain) for c in self.plain[dep]]

    def place_in(self, commune: Commune, accept=None) -> tuple[Placement, str | None]:
        """A point in this commune and the category it gets: one of `accept` when a point
        of the commune can have it (Provins is FRR, but its QPV is not rural-only)."""
        geometry = self.shapes.get(commune.code)
        if geometry is None:
            return Placement(commune, None, None), category(derivation.derive(commune))
        search = _Search(geometry, self.locate)
        if not (accept and search.advance(accept, commune)) and not search.advance(None, commune):
            raise ValueError(f"Aucun point valide trouvé dans {commune}.")
        place = search.found[0]
        return place, category(derivation.derive(place.commune, place.latitude, place.longitude))

    def place(self, departement: str, wanted: str, k: int) -> Placement | None:
        """The k-th place of category `wanted` in the département (None if there is none)."""
        if wanted == QPV:
            pool = [(code, geom, None) for code, geom in self.qpv.get(departement, [])]
        else:
            communes = (self.rural if wanted == RURALE else self.plain).get(departement, [])
            pool = [(c.code, self.shapes.get(c.code), c) for c in communes]
            if any(geometry is not None for _, geometry, _ in pool):
                # Points wherever an outline allows: a commune without one is not on the map.
                pool = [entry for entry in pool if entry[1] is not None]
        if not pool:
            return None
        key, geometry, commune = pool[k % len(pool)]
        rank = k // len(pool)
        if geometry is None:
            # No outline loaded: the commune without a point (rural or plain slots only).
            return Placement(commune, None, None)
        state = self._state.setdefault((wanted, key), _Search(geometry, self.locate))
        while len(state.found) <= rank:
            if not state.advance((wanted,), commune):
                return None
        return state.found[rank]


class _Search:
    """Successive valid points inside one shape."""

    def __init__(self, geometry, locate):
        self.geometry = geometry
        self.locate = locate
        shapely.prepare(geometry)
        self.found: list[Placement] = []
        self.index = 0

    def _candidate(self):
        self.index += 1
        if self.index == 1:
            return self.geometry.representative_point()
        minx, miny, maxx, maxy = self.geometry.bounds
        return Point(
            minx + halton(self.index, 2) * (maxx - minx),
            miny + halton(self.index, 3) * (maxy - miny),
        )

    def advance(self, wanted, commune) -> bool:
        """Find the next valid point of `commune` whose category is in `wanted` (None: any)."""
        for _ in range(MAX_TRIES):
            point = self._candidate()
            lat, lon = round(point.y, 6), round(point.x, 6)
            if not self.geometry.contains(Point(lon, lat)):
                continue
            where = self.locate(lat, lon)
            if where is None or (commune is not None and where.pk != commune.pk):
                continue
            if wanted is not None and category(derivation.derive(where, lat, lon)) not in wanted:
                continue
            if point_problem(where, lat, lon) is None:
                self.found.append(Placement(where, lat, lon))
                return True
        return False


def _qpv_departement(code: str) -> str | None:
    """QN0 75 01M → "75"; QN9 71 … (outre-mer) → "971"."""
    if not code or not code.startswith("QN") or len(code) < 5:
        return None
    digits = code[2:5]
    return digits[1:] if digits.startswith("0") else digits
