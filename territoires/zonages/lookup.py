"""Which zones apply here, on that date? The one answer every app asks of the zonings.

The rules (acts in force, arrondissements, polygons) are in `territoires.zonages.rules`.
`zones_at` answers from an in-memory index (`territoires.zonages.index`: per process, built
on first use, dropped when a zoning changes here, and re-checked against the database every
`ZONAGES_INDEX_RECHECK_SECONDS` for changes made by other processes). `zones_for_communes`
runs a constant number of queries and does not depend on the index's state, so pages that
pin their query counts stay deterministic.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from territoires import locator
from territoires.models import Commune, Zonage, ZoneCommune
from territoires.zonages.index import get_index, reset_index
from territoires.zonages.rules import (
    KIND_ORDER,
    PROFESSION_ORDER,
    ZoneMatch,
    act_of,
    active_ids,
    acts,
    commune_rows,
    gather,
    merge,
    sort_key,
)
from territoires.zonages.signals import zonages_changed

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
    active = active_ids(acts(Zonage.objects.filter(valide_du__lte=date).order_by()), date)
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
    for code, _geometry, match in commune_rows(rows.order_by()):
        per_commune[code].append(match)
    return {code: merge(gather(code, per_commune, parent, children), active) for code in codes}


def acts_in_force(date=None) -> list[Zonage]:
    """The acts that apply on `date` (supersession resolved), with their région: 1 query."""
    date = _today(date)
    zonages = list(Zonage.objects.filter(valide_du__lte=date).select_related("region"))
    active = active_ids([act_of(z) for z in zonages], date)
    in_force = [z for z in zonages if z.pk in active]
    return sorted(
        in_force,
        key=lambda a: (
            KIND_ORDER.get(a.kind, 99),
            PROFESSION_ORDER.get(a.profession, 99),
            a.region.code if a.region else "",
        ),
    )


def warm():
    """Build the zone index and the locator now (a worker's start, `portal.wsgi`) rather
    than in the first visitor's request."""
    get_index()
    locator.warm()


def _commune_code(commune) -> str | None:
    if commune is None:
        return None
    return commune.code if isinstance(commune, Commune) else str(commune)


def _locate(lat, lon) -> str | None:
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


__all__ = [
    "ZoneMatch",
    "acts_in_force",
    "get_index",
    "notify_zonages_changed",
    "reset_index",
    "sort_key",
    "warm",
    "zones_at",
    "zones_for_communes",
]
