"""Which zones apply here, on that date? The one answer every app asks of the zonings.

Rules (shared by the single lookup and the bulk lookup):
- Acts in force: for one kind + profession + région, the newest act whose `valide_du` is on
  or before the date supersedes the older ones (on the same start date, an official act
  wins over a demonstration one); if that newest act has ended (`valide_au` before the
  date), the group has no zone on that date (an older act does not come back).
- Paris/Lyon/Marseille: a zone defined on the whole commune (75056) applies to each of its
  arrondissements; a zone defined on an arrondissement (or an IRIS) is reported for the
  parent commune too, with `partiel=True` (it covers only part of the commune).
- Zones with polygons (QPV): for a commune they are `partiel=True` (the quartier is part of
  the commune); for a point, only the polygons containing the point count, `partiel=False`.

`zones_at` answers from an in-memory index (per process, built on first use, dropped when a
zoning changes here, and re-checked against the database every
`ZONAGES_INDEX_RECHECK_SECONDS` for changes made by other processes). `zones_for_communes`
runs a constant number of queries and does not depend on the index's state, so pages that
pin their query counts stay deterministic.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from territoires.models import (
    Commune,
    Profession,
    Zonage,
    ZonageKind,
    ZoneCommune,
)
from territoires.zonages.signals import zonages_changed


@dataclass(frozen=True)
class ZoneMatch:
    kind: str
    categorie: str  # stable slug of the category ("zip", "tres-sous-dotee", "qpv"…)
    categorie_libelle: str
    categorie_ordre: int
    profession: str | None
    libelle: str
    code: str  # official code (QPV) or ""
    eligibilites: list[str]
    zonage_id: int
    zonage_titre: str
    zonage_editeur: str
    zonage_date: dt.date
    zonage_url: str
    demonstration: bool
    partiel: bool
    zone_id: int

    @property
    def profession_libelle(self) -> str:
        return Profession(self.profession).label if self.profession else ""


_KIND_ORDER = {kind: i for i, kind in enumerate(ZonageKind.values)}
_PROFESSION_ORDER = {p: i for i, p in enumerate(Profession.values)}


def sort_key(match: ZoneMatch):
    return (
        _KIND_ORDER.get(match.kind, 99),
        _PROFESSION_ORDER.get(match.profession or "", 99),
        match.zonage_id,
        match.categorie_ordre,
        match.libelle,
        match.zone_id,
    )


@dataclass(frozen=True)
class _Act:
    id: int
    group: tuple  # (kind, profession, region_id)
    valide_du: dt.date
    valide_au: dt.date | None
    date_acte: dt.date
    demonstration: bool

    @property
    def rank(self):
        # Same start date: an official act wins over a demonstration one.
        return (self.valide_du, not self.demonstration, self.date_acte, self.id)


def _active_ids(acts, date) -> frozenset[int]:
    """Ids of the acts that apply on `date`, supersession resolved."""
    newest = {}
    for act in acts:
        if act.valide_du > date:
            continue
        best = newest.get(act.group)
        if best is None or act.rank > best.rank:
            newest[act.group] = act
    return frozenset(
        act.id for act in newest.values() if act.valide_au is None or act.valide_au >= date
    )


_ACT_FIELDS = (
    "id",
    "kind",
    "profession",
    "region_id",
    "valide_du",
    "valide_au",
    "date_acte",
    "demonstration",
)


def _acts(queryset) -> list[_Act]:
    return [
        _Act(
            id=row["id"],
            group=(row["kind"], row["profession"], row["region_id"]),
            valide_du=row["valide_du"],
            valide_au=row["valide_au"],
            date_acte=row["date_acte"],
            demonstration=row["demonstration"],
        )
        for row in queryset.values(*_ACT_FIELDS)
    ]


_ROW_FIELDS = (
    "commune__code",
    "code_iris",
    "zone_id",
    "zone__code",
    "zone__libelle",
    "zone__categorie__code",
    "zone__categorie__libelle",
    "zone__categorie__ordre",
    "zone__categorie__eligibilites",
    "zone__zonage_id",
    "zone__zonage__kind",
    "zone__zonage__profession",
    "zone__zonage__titre",
    "zone__zonage__editeur",
    "zone__zonage__date_acte",
    "zone__zonage__url",
    "zone__zonage__demonstration",
)


def _rows(queryset):
    """(commune code, has polygons, match) for each commune of each zone."""
    has_geometry = ExpressionWrapper(Q(zone__geometrie__isnull=False), output_field=BooleanField())
    for row in queryset.annotate(has_geometry=has_geometry).values(*_ROW_FIELDS, "has_geometry"):
        yield (
            row["commune__code"],
            row["has_geometry"],
            _match(row, partiel=bool(row["code_iris"]) or row["has_geometry"]),
        )


def _match(row, partiel) -> ZoneMatch:
    return ZoneMatch(
        kind=row["zone__zonage__kind"],
        categorie=row["zone__categorie__code"],
        categorie_libelle=row["zone__categorie__libelle"],
        categorie_ordre=row["zone__categorie__ordre"],
        profession=row["zone__zonage__profession"] or None,
        libelle=row["zone__libelle"] or row["zone__categorie__libelle"],
        code=row["zone__code"],
        eligibilites=list(row["zone__categorie__eligibilites"] or []),
        zonage_id=row["zone__zonage_id"],
        zonage_titre=row["zone__zonage__titre"],
        zonage_editeur=row["zone__zonage__editeur"],
        zonage_date=row["zone__zonage__date_acte"],
        zonage_url=row["zone__zonage__url"],
        demonstration=row["zone__zonage__demonstration"],
        partiel=partiel,
        zone_id=row["zone_id"],
    )


def _partial(match: ZoneMatch) -> ZoneMatch:
    return match if match.partiel else replace(match, partiel=True)


def _merge(matches, active) -> list[ZoneMatch]:
    """Keep active acts, one match per zone (a whole-commune match wins over a partial one)."""
    by_zone = {}
    for match in matches:
        if match.zonage_id not in active:
            continue
        seen = by_zone.get(match.zone_id)
        if seen is None or (seen.partiel and not match.partiel):
            by_zone[match.zone_id] = match
    return sorted(by_zone.values(), key=sort_key)


_today_cache = [-1, None]  # [minute, local date]: localdate() costs more than a lookup


def _today(date):
    if date is not None:
        return date
    minute = int(time.time() // 60)
    if _today_cache[0] != minute:
        _today_cache[:] = [minute, timezone.localdate()]
    return _today_cache[1]


# --- Bulk lookup: a constant number of queries -------------------------------------------


def zones_for_communes(
    communes_or_codes, date=None, *, kind=None, profession=None
) -> dict[str, list[ZoneMatch]]:
    """Zones of many communes at once (maps, finder, structures): 3 queries, whatever the size.

    Keys are the INSEE codes asked for; an unknown code maps to an empty list. `kind` and
    `profession` restrict the answer (e.g. one profession's ARS zones for a map).
    """
    date = _today(date)
    codes = {c.code if isinstance(c, Commune) else str(c) for c in communes_or_codes}
    if not codes:
        return {}
    active = _active_ids(_acts(Zonage.objects.filter(valide_du__lte=date).order_by()), date)
    # The communes asked for, their arrondissements, and (through parent__code) their parent.
    family = list(
        Commune.objects.filter(Q(code__in=codes) | Q(parent__code__in=codes)).values_list(
            "code", "parent__code"
        )
    )
    parent = {code: parent_code for code, parent_code in family if parent_code}
    children = defaultdict(list)
    for code, parent_code in family:
        if parent_code in codes:
            children[parent_code].append(code)
    related = codes | set(parent.values()) | {code for code, _ in family}
    rows = ZoneCommune.objects.filter(commune__code__in=related, zone__zonage_id__in=active)
    if kind is not None:
        rows = rows.filter(zone__zonage__kind=kind)
    if profession is not None:
        rows = rows.filter(zone__zonage__profession=profession)
    per_commune = defaultdict(list)
    for code, _geometry, match in _rows(rows.order_by()):
        per_commune[code].append(match)
    return {code: _merge(_gather(code, per_commune, parent, children), active) for code in codes}


def _gather(code, per_commune, parent, children):
    matches = list(per_commune.get(code, ()))
    if code in parent:
        matches += per_commune.get(parent[code], ())
    for child in children.get(code, ()):
        matches += [_partial(m) for m in per_commune.get(child, ())]
    return matches


def acts_in_force(date=None) -> list[Zonage]:
    """The acts that apply on `date` (supersession resolved), with their région: 1 query."""
    date = _today(date)
    acts = list(Zonage.objects.filter(valide_du__lte=date).select_related("region"))
    active = _active_ids(
        [
            _Act(a.pk, (a.kind, a.profession, a.region_id), a.valide_du, a.valide_au,
                 a.date_acte, a.demonstration)
            for a in acts
        ],
        date,
    )  # fmt: skip
    in_force = [a for a in acts if a.pk in active]
    return sorted(
        in_force,
        key=lambda a: (
            _KIND_ORDER.get(a.kind, 99),
            _PROFESSION_ORDER.get(a.profession, 99),
            a.region.code if a.region else "",
        ),
    )


def _commune_code(commune) -> str | None:
    if commune is None:
        return None
    return commune.code if isinstance(commune, Commune) else str(commune)


def _locate(lat, lon) -> str | None:
    from territoires import locator

    codes = locator.locate_codes(lat, lon)  # no query once the locator is warm
    return (codes.arrondissement or codes.commune) if codes else None


def zones_at(commune=None, lat=None, lon=None, date=None) -> list[ZoneMatch]:
    """Every zone that applies at a commune (instance or INSEE code) or at a point, on a date.

    With a point, the commune is located from it unless given, and polygon zones count only
    when they contain the point.
    """
    date = _today(date)
    index = get_index()
    point = lat is not None and lon is not None
    if point and not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError("Coordonnées invalides.")
    code = _commune_code(commune)
    if not point:
        return list(index.commune_result(code, date)) if code else []
    if code is None:
        code = _locate(lat, lon)
    base = list(index.commune_result(code, date, without_polygons=True)) if code else []
    active = index.active(date)
    inside = [m for m in index.point_matches(lon, lat) if m.zonage_id in active]
    return sorted(base + inside, key=sort_key) if inside else base


class _Batch:
    """The acts changed in one transaction: one signal for all of them, after the commit."""

    def __init__(self):
        self.ids: set[int] | None = set()  # None: anything may have changed
        self.sent = False

    def add(self, zonage_ids):
        if zonage_ids is None or self.ids is None:
            self.ids = None
        else:
            self.ids |= set(zonage_ids)

    def send(self):
        self.sent = True
        reset_index()
        ids = sorted(self.ids) if self.ids is not None else None
        if ids:
            Zonage.objects.filter(pk__in=ids).update(modifie_le=timezone.now())
        # The zonings are committed: a failing listener is logged (by Django), not raised.
        zonages_changed.send_robust(sender=Zonage, zonage_ids=ids)


def notify_zonages_changed(zonage_ids=None):
    """After the current transaction commits: mark the acts modified and send the signal,
    once per transaction whatever the number of calls (an import of several acts).

    Touching `modifie_le` is what lets other processes notice the change (see `_stamp`).
    """
    reset_index()
    connection = transaction.get_connection()
    batch = getattr(connection, "_zonages_batch", None)
    pending = (
        connection.in_atomic_block
        and batch is not None
        and not batch.sent
        and any(callback == batch.send for _, callback, _ in connection.run_on_commit)
    )
    if not pending:
        batch = connection._zonages_batch = _Batch()
    batch.add(zonage_ids)
    if not pending:
        transaction.on_commit(batch.send)  # outside a transaction: right now


# The index lives in its own module; imported last (it builds on the rules above).
from territoires.zonages.index import get_index, reset_index  # noqa: E402

__all__ = [
    "ZoneMatch",
    "acts_in_force",
    "get_index",
    "notify_zonages_changed",
    "reset_index",
    "sort_key",
    "zones_at",
    "zones_for_communes",
]
