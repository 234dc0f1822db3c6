"""Run a finder search: filters, place, eligibility, sorting. Shared by the page and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aides.eligibility import (
    STATUT_ORDER,
    Eligibilite,
    Lieu,
    resolve_lieu,
    verdicts,
    zones_here,
)
from aides.filters import FinderSearch
from aides.montants import annual_amount, format_montant
from territoires.models import Commune

FAR_FUTURE = dt.date.max


@dataclass
class SearchResult:
    search: FinderSearch
    lieu: Lieu
    results: list[Eligibilite] = field(default_factory=list)  # éligibles, then à vérifier
    notices: list[str] = field(default_factory=list)
    non_applicables: list[Eligibilite] = field(default_factory=list)
    zones: list = field(default_factory=list)  # the zones at the place on the answer's date

    @property
    def count(self) -> int:
        return len(self.results)


def run(params, queryset=None) -> SearchResult:
    search = FinderSearch(params, queryset)
    notices = list(search.notices)
    cleaned = search.cleaned
    commune, lat, lon = cleaned.get("commune"), cleaned.get("lat"), cleaned.get("lon")
    adresse = search.adresse
    if adresse is not None:
        commune = commune or _commune(adresse.citycode)
        lieu = resolve_lieu(commune, adresse.lat, adresse.lon)
    elif lat is not None and lon is not None:
        lieu = resolve_lieu(None, lat, lon)
        if lieu.commune is None:
            notices.append(
                "Le point choisi n'a pas pu être placé : il n'est dans aucune commune dont le "
                "contour est chargé (Île-de-France et Grand Est). Choisissez plutôt la commune "
                "dans le champ « Commune ou code postal »."
            )
        elif commune is not None and commune.pk not in (lieu.commune.pk, lieu.commune.parent_id):
            notices.append(
                f"Le point choisi est à {lieu.commune.nom} : la commune saisie "
                f"({commune.nom}) n'a pas été utilisée."
            )
    else:
        lieu = resolve_lieu(commune, lat, lon)
    zones = zones_here(lieu, search.date)
    found = verdicts(
        search.queryset,
        profession=cleaned.get("profession") or None,
        etape=cleaned.get("etape") or None,
        date=search.date,
        lieu=lieu,
        zones=zones,
    )
    sort(found, search.tri)
    results = [r for r in found if r.applicable]
    others = [r for r in found if not r.applicable]
    shown = zones if lieu.commune is not None else []
    return SearchResult(search, lieu, results, notices, others, shown)


def _commune(code):
    return Commune.objects.with_refs().filter(code=code).first()


def sort(results: list[Eligibilite], tri: str) -> None:
    """By the chosen order, éligibles before à vérifier (a stable sort on the status)."""
    if tri == "montant":
        results.sort(key=lambda r: (-annual_amount(r.aide), r.aide.nom))
    elif tri == "cloture":
        results.sort(key=lambda r: (r.aide.date_cloture or FAR_FUTURE, r.aide.nom))
    else:
        results.sort(key=lambda r: (not r.ouverte, -r.score, -annual_amount(r.aide), r.aide.nom))
    results.sort(key=lambda r: STATUT_ORDER[r.statut])


def _url(aide, request) -> str:
    url = aide.get_absolute_url()
    return request.build_absolute_uri(url) if request is not None else url


def as_json(result: Eligibilite, request=None) -> dict:
    aide = result.aide
    return {
        "slug": aide.slug,
        "nom": aide.nom,
        "sigle": aide.sigle,
        "financeurs": aide.rel.financeurs,
        "forme": aide.forme,
        "montant": format_montant(aide),
        "montant_confirme": aide.montant_confirme,
        "ouverte": result.ouverte,
        "date_cloture": aide.date_cloture.isoformat() if aide.date_cloture else None,
        "pourquoi": [r.texte for r in result.pourquoi],
        "lieu_verifie": not result.sans_lieu,
        "demonstration": aide.demonstration or result.demonstration,
        "url": _url(aide, request),
        "statut": result.statut,
        "a_verifier_parce_que": [r.texte for r in result.incertitudes],
        "limites": result.limites,
    }


def non_applicable_json(result: Eligibilite, request=None) -> dict:
    aide = result.aide
    return {
        "slug": aide.slug,
        "nom": aide.nom,
        "url": _url(aide, request),
        "pourquoi_pas": [r.texte for r in result.pourquoi_pas],
    }


def relax_suggestions(search: FinderSearch, lieu: Lieu) -> list[dict]:
    """For the empty state: each active criterion, with the link that removes it."""
    params = search.raw
    labels = {
        "profession": "la profession",
        "etape": "l'étape du projet",
        "public": "le public",
        "financeur": "le financeur",
        "forme": "la forme de l'aide",
        "date": "la date",
        "commune": "la commune",
        "lat": "le point sur la carte",
        "adresse": "l'adresse",
    }
    suggestions = []
    for key, label in labels.items():
        if params.get(key):
            remaining = params.copy()
            for dropped in ("lon", "page") if key == "lat" else ("page",):
                remaining.pop(dropped, None)
            remaining.pop(key, None)
            suggestions.append({"label": f"Retirer {label}", "query": remaining.urlencode()})
    if not params.get("fermees"):
        remaining = params.copy()
        remaining.pop("page", None)
        remaining["fermees"] = "on"
        suggestions.append(
            {"label": "Afficher aussi les aides fermées", "query": remaining.urlencode()}
        )
    return suggestions
