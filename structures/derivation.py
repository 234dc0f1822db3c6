"""Facts derived from where a structure or professional is: QPV, rural zone, ARS zones.

They are stored (lists, filters and statistics read columns, not polygons) and
recomputed on every save and whenever zonings change (`zonages_changed`).
Zones are those in force today: the Région's bilan counts structures by where they
stand now, and the demonstration QPV 2024 polygons postdate most decisions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from portal.lib import dataversion
from structures.validation import point_problem
from territoires.models import ZonageKind
from territoires.zonages.lookup import zones_at

DERIVED_FIELDS = ("en_qpv", "qpv_code", "qpv_nom", "en_zone_rurale", "zones", "point_hors_commune")


@dataclass(frozen=True)
class Derived:
    en_qpv: bool = False
    qpv_code: str = ""
    qpv_nom: str = ""
    en_zone_rurale: bool = False
    zones: dict | None = None

    def as_dict(self) -> dict:
        return {
            "en_qpv": self.en_qpv,
            "qpv_code": self.qpv_code,
            "qpv_nom": self.qpv_nom,
            "en_zone_rurale": self.en_zone_rurale,
            "zones": self.zones or {},
        }


def derive(commune=None, lat=None, lon=None, on: datetime.date | None = None) -> Derived:
    """Zones at the commune, and QPV at the point (without a point, no QPV can be told)."""
    has_point = lat is not None and lon is not None
    if not has_point and commune is None:
        return Derived()
    # With a point, zones_at takes commune zones from `commune` and QPV from the polygons.
    matches = zones_at(commune=commune, lat=lat, lon=lon, date=on or timezone.localdate())
    return from_matches(matches)


def from_matches(matches) -> Derived:
    # A partial match covers only part of the commune (a QPV when no point is known): no flag.
    whole = [m for m in matches if not m.partiel]
    qpv = sorted((m for m in whole if m.kind == ZonageKind.QPV), key=lambda m: m.code or "")
    rural = any(m.kind == ZonageKind.RURAL for m in whole)
    zones: dict[str, list[dict]] = {}
    for m in matches:
        if m.kind == ZonageKind.ARS and m.profession:
            zones.setdefault(m.profession, []).append(
                {
                    "categorie": m.categorie,
                    "libelle": m.categorie_libelle,
                    "zonage": m.zonage_id,
                    "partiel": m.partiel,
                }
            )
    return Derived(
        en_qpv=bool(qpv),
        qpv_code=qpv[0].code if qpv else "",
        qpv_nom=qpv[0].libelle if qpv else "",
        en_zone_rurale=rural,
        zones=dict(sorted(zones.items())),
    )


def apply(obj, on=None) -> bool:
    """Set the derived fields of `obj`; True when one of them changed."""
    commune = obj.commune if obj.commune_id else None
    values = derive(commune, obj.latitude, obj.longitude, on).as_dict()
    values["point_hors_commune"] = point_problem(commune, obj.latitude, obj.longitude) is not None
    changed = any(getattr(obj, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(obj, name, value)
    return changed


def recompute(queryset, batch_size=500) -> int:
    """Recompute the derived fields of every row of `queryset`; returns how many changed.

    Uses bulk_update: a zoning change is not an agent's edit, so it adds no history entry.
    """
    model = queryset.model
    changed = []
    count = 0
    for obj in queryset.select_related("commune").iterator(chunk_size=batch_size):
        if apply(obj):
            changed.append(obj)
        if len(changed) >= batch_size:
            model.objects.bulk_update(changed, DERIVED_FIELDS)
            count += len(changed)
            changed = []
    if changed:
        model.objects.bulk_update(changed, DERIVED_FIELDS)
        count += len(changed)
    if count:
        dataversion.bump()  # bulk_update sends no signal: the open data changed all the same
    return count
