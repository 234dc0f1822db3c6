"""What a newcomer could claim in each commune of a territory, judged once per signature.

The finder's answer at a commune depends on its zones and territories, not on its name
(`aides.search.signature`). Here every commune of the territory (Paris, Lyon and Marseille
as their arrondissements, where the doctors' zonings are drawn) gets its zones from the zone
index (no query once warm), communes are grouped by signature, and the aids passing the
profile are judged once per group by the finder's own rules (`aides.eligibility.judge`).
A whole région is a few hundred judgements, not thousands; the table is kept per data
version, profile and territory (a later request reads it back without any judgement).

Queries: the data version, the communes (plain values), one commune of each group (the
sentences read its département and région), the aids and their relations (`attach`), the
communes some aid targets: constant whatever the size of the territory.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache

from aides.eligibility import LONG_TEXT_FIELDS, Ici, Lieu, Statut, judge
from aides.filters import FinderSearch
from aides.montants import annual_amount
from aides.relations import attach
from aides.search import _anonymous, cache_verdicts, signature, verdicts_key
from portal.lib import dataversion
from territoires.models import Commune
from territoires.zonages.display import long_date
from territoires.zonages.lookup import zones_at


@dataclass(frozen=True)
class Reponse:
    """What the aids say at one signature: shared by every commune that has it."""

    aides: int  # listed by the finder: éligibles and à vérifier
    a_verifier: int
    montant: int  # sum of the known yearly amounts (maximum of each aid), in euros
    sans_montant: tuple[str, ...]  # applicable aids whose amount is not known


@dataclass(frozen=True)
class ZoneLigne:
    libelle: str
    source: str  # the act or export, with its date
    date: str


@dataclass(frozen=True)
class LigneCommune:
    code: str
    nom: str
    departement: str
    zones: tuple[ZoneLigne, ...]
    reponse: Reponse
    groupe: int  # index of the signature: equal for communes sharing one answer
    cle_nom: str = ""  # the name without accents nor case, for sorting


@dataclass(frozen=True)
class Installation:
    lignes: tuple[LigneCommune, ...]
    signatures: int  # distinct judgements made


_FIELDS = (
    "id", "code", "nom", "nom_normalise", "parent_id", "departement_id", "region_id",
    "departement__code",
)  # fmt: skip


class _Place(NamedTuple):
    """What a signature reads of a commune (no model instance for thousands of rows)."""

    id: int
    code: str
    nom: str
    nom_normalise: str
    parent_id: int | None
    departement_id: int
    region_id: int
    departement_code: str


def territory_communes(region=None, departement=None):
    """Communes of the territory, Paris/Lyon/Marseille as their arrondissements."""
    queryset = Commune.objects.exclude(arrondissements__isnull=False)
    if departement is not None:
        queryset = queryset.filter(departement=departement)
    elif region is not None:
        queryset = queryset.filter(region=region)
    return queryset.order_by("code")


def run(profile, region=None, departement=None) -> Installation:
    """The table for the profile (the finder's query string: profession, etape, public)."""
    search = FinderSearch(profile)
    version = dataversion.current()
    filters = (
        str(search.queryset.query), sorted(profile.items()), search.date.isoformat(),
        region.code if region else "", departement.code if departement else "",
    )  # fmt: skip
    key = f"aides:ou-minstaller:{version}:" + hashlib.sha256(repr(filters).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _compute(search, version, region, departement)
        cache.set(key, found, timeout=None)  # keyed by the data version: never stale
    return found


def _compute(search: FinderSearch, version: str, region, departement) -> Installation:
    profession = search.cleaned.get("profession") or None
    etape = search.cleaned.get("etape") or None
    date = search.date
    groups: dict[tuple, tuple[Lieu, list, list[_Place]]] = {}
    for row in territory_communes(region, departement).values_list(*_FIELDS):
        place = _Place(*row)
        lieu = Lieu(commune=place)
        zones = zones_at(commune=place.code, date=date)  # as `zones_here` for a commune
        place_key = signature(lieu, zones, version, profession)
        group = groups.setdefault(place_key, (lieu, zones, []))
        group[2].append(place)
    # One commune of each group, with what the sentences read (département, région…).
    judged = Commune.objects.with_refs().in_bulk(
        [lieu.commune.id for lieu, _, _ in groups.values()]
    )
    queryset = search.queryset
    if profession:
        queryset = queryset.for_profession(profession)
    if etape:
        queryset = queryset.for_stage(etape)
    queryset = queryset.defer(*LONG_TEXT_FIELDS)
    aides = attach(list(queryset), queryset) if groups else []
    lignes = []
    for index, (place, (lieu, zones, communes)) in enumerate(groups.items()):
        ici = Ici(_anonymous(Lieu(commune=judged[lieu.commune.id])), date, zones)
        found = [judge(aide, ici, profession) for aide in aides]
        reponse = _reponse(found)
        # The finder link of these communes then reads the same verdicts back (its cache).
        cache_verdicts(verdicts_key(search, place, version), found, search.tri)
        shown = tuple(_zone(z) for z in zones if z.profession in (None, profession))
        for commune in communes:
            lignes.append(
                LigneCommune(
                    commune.code,
                    commune.nom,
                    commune.departement_code,
                    shown,
                    reponse,
                    index,
                    commune.nom_normalise,
                )
            )
    return Installation(tuple(lignes), len(groups))


def _reponse(found) -> Reponse:
    applicable = [r for r in found if r.applicable]
    amounts = [annual_amount(r.aide) for r in applicable]
    return Reponse(
        aides=len(applicable),
        a_verifier=sum(r.statut == Statut.A_VERIFIER for r in applicable),
        montant=sum(amounts),
        sans_montant=tuple(
            sorted(r.aide.nom for r, amount in zip(applicable, amounts, strict=True) if not amount)
        ),
    )


def _zone(match) -> ZoneLigne:
    libelle = match.categorie_libelle
    if match.libelle and match.libelle != libelle:
        libelle = f"{libelle} — {match.libelle}"
    if match.partiel:
        libelle += " (une partie de la commune)"
    return ZoneLigne(
        libelle, match.zonage_reference, long_date(match.zonage_date or match.zonage_date_export)
    )


SORT_KEYS = {
    "aides": lambda ligne: (
        -ligne.reponse.aides,
        -ligne.reponse.montant,
        ligne.cle_nom,
        ligne.code,
    ),
    "montant": lambda ligne: (
        -ligne.reponse.montant,
        -ligne.reponse.aides,
        ligne.cle_nom,
        ligne.code,
    ),
    "nom": lambda ligne: (ligne.cle_nom, ligne.code),
}


def sorted_lines(lignes, tri: str) -> list[LigneCommune]:
    return sorted(lignes, key=SORT_KEYS[tri])
