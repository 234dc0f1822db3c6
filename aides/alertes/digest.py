"""What an alert's search answers now, and what changed since the last message.

The answer is the finder's own (`aides.search.run`): cached by data version and by the
place's zone signature, so alerts on places with the same zones share one computation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict

from aides.search import SearchResult, run
from territoires.models import Profession

# An aid closing within this many days is announced (once).
FERMETURE_PROCHE = dt.timedelta(days=30)
FILTERS = ("profession", "etape", "public", "forme")


def answer(recherche: str) -> SearchResult:
    return run(QueryDict(recherche))


def recherche_of(result: SearchResult) -> str:
    """The search an alert keeps: the place (commune, or point) and the filters, without the
    date (an alert follows today), the sort or the page."""
    lieu, cleaned = result.lieu, result.search.cleaned
    params = {}
    if lieu.point:
        params.update(lat=f"{lieu.lat:.5f}", lon=f"{lieu.lon:.5f}")
    elif lieu.commune is not None:
        params["commune"] = lieu.commune.code
    for key in FILTERS:
        if cleaned.get(key):
            params[key] = cleaned[key]
    if cleaned.get("financeur"):
        params["financeur"] = cleaned["financeur"].slug
    return urlencode(sorted(params.items()))


def libelle_of(result: SearchResult) -> str:
    """ "Infirmier à Saint-Denis (93066)"."""
    profession = result.search.cleaned.get("profession")
    qui = Profession(profession).label if profession else "Toutes professions"
    commune = result.lieu.commune
    ou = f"{commune.nom} ({commune.code})" if commune is not None else "au point choisi"
    return f"{qui} à {ou}"[:300]


def zone_labels(result: SearchResult) -> list[str]:
    """The zones at the place, as the message names them (before/after)."""
    return sorted({f"{zone.categorie_libelle} — {zone.zonage_titre}" for zone in result.zones})


def snapshot(result: SearchResult, fermetures=()) -> dict:
    return {
        "aides": sorted(r.aide.pk for r in result.results),
        "zones": zone_labels(result),
        "fermetures": sorted(fermetures),
    }


@dataclass
class Changements:
    nouvelles: list = field(default_factory=list)  # Eligibilite of aids that apply now
    fermetures: list = field(default_factory=list)  # Eligibilite closing within 30 days
    zones_avant: list[str] = field(default_factory=list)
    zones_apres: list[str] = field(default_factory=list)

    @property
    def zonage_modifie(self) -> bool:
        return self.zones_avant != self.zones_apres

    def __bool__(self) -> bool:
        return bool(self.nouvelles or self.fermetures or self.zonage_modifie)


def changes(instantane: dict, result: SearchResult, today: dt.date) -> Changements:
    """What is new since `instantane` (the last answer sent) in the answer `result`."""
    before = set(instantane.get("aides", []))
    announced = set(instantane.get("fermetures", []))
    horizon = today + FERMETURE_PROCHE
    return Changements(
        nouvelles=[r for r in result.results if r.aide.pk not in before],
        fermetures=[
            r
            for r in result.results
            if r.aide.date_cloture is not None
            and today <= r.aide.date_cloture <= horizon
            and r.aide.pk not in announced
        ],
        zones_avant=list(instantane.get("zones", [])),
        zones_apres=zone_labels(result),
    )


def next_snapshot(instantane: dict, result: SearchResult, found: Changements) -> dict:
    announced = set(instantane.get("fermetures", [])) | {r.aide.pk for r in found.fermetures}
    current = {r.aide.pk for r in result.results}
    return snapshot(result, announced & current)
