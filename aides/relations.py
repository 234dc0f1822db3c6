"""An aid's regions, départements, communes, financers and zoning conditions, in bulk.

`prefetch_related` builds a related manager and a queryset per aid and relation, which
costs more than the search itself once the catalogue has hundreds of aids. Eligibility only
needs ids and names: five flat queries fill `aide.rel` for any number of aids.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from aides.models import Aide, ConditionZonage


@dataclass
class Relations:
    regions: list[tuple[int, str]] = field(default_factory=list)  # (id, nom)
    departements: list[tuple[int, str, str]] = field(default_factory=list)  # (id, code, nom)
    communes: list[tuple[int, str]] = field(default_factory=list)  # (id, nom)
    financeurs: list[str] = field(default_factory=list)
    conditions: list[ConditionZonage] = field(default_factory=list)

    @property
    def has_scope(self) -> bool:
        return bool(self.regions or self.departements or self.communes)


def attach(aides, source=None, *, shown_only=False):
    """Set `aide.rel` on every aid of `aides`; `source` is the queryset they come from
    (used as a subquery so that the number of ids never reaches a parameter limit).

    `shown_only`: only what a result shows (financers, one query), for aids whose verdicts
    are already known (a cached search).
    """
    ids = source.values("id") if source is not None else [a.id for a in aides]
    by_aide = defaultdict(Relations)
    if shown_only:
        _financeurs(by_aide, ids)
        for aide in aides:
            aide.rel = by_aide[aide.id]
        return aides
    through = Aide.regions.through.objects.filter(aide_id__in=ids)
    for aide_id, pk, nom in through.values_list("aide_id", "region_id", "region__nom"):
        by_aide[aide_id].regions.append((pk, nom))
    through = Aide.departements.through.objects.filter(aide_id__in=ids)
    for aide_id, pk, code, nom in through.values_list(
        "aide_id", "departement_id", "departement__code", "departement__nom"
    ):
        by_aide[aide_id].departements.append((pk, code, nom))
    through = Aide.communes.through.objects.filter(aide_id__in=ids)
    for aide_id, pk, nom in through.values_list("aide_id", "commune_id", "commune__nom"):
        by_aide[aide_id].communes.append((pk, nom))
    _financeurs(by_aide, ids)
    conditions = ConditionZonage.objects.filter(aide_id__in=ids).select_related("departement")
    for condition in conditions.order_by("id"):
        by_aide[condition.aide_id].conditions.append(condition)
    for aide in aides:
        aide.rel = by_aide[aide.id]
    return aides


def _financeurs(by_aide, ids):
    through = Aide.financeurs.through.objects.filter(aide_id__in=ids).order_by("financeur__nom")
    for aide_id, nom in through.values_list("aide_id", "financeur__nom"):
        by_aide[aide_id].financeurs.append(nom)
