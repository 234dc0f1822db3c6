"""Run a finder search: filters, place, eligibility, sorting. Shared by the page and the API.

The verdicts depend on the place's zones and territories, not on the commune: they are
cached by data version (every write to aids, zonings or structures bumps it) and by the
`signature` of the place with the filters, so communes with the same zones share one
computation. The cached rows hold ids and reasons; the sentences naming the commune are
computed with a placeholder and named when shown.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.core.cache import cache
from django.db.models import Value

from aides.eligibility import (
    STATUT_ORDER,
    Eligibilite,
    Ici,
    Lieu,
    candidates,
    judge,
    resolve_lieu,
    zones_here,
)
from aides.filters import FinderSearch
from aides.models import Aide, ConditionZonage
from aides.montants import annual_amount, format_montant
from aides.raisons import COMMUNE, Raison, named
from portal.lib import dataversion
from territoires.models import Commune

FAR_FUTURE = dt.date.max


@dataclass
class SearchResult:
    """A validated search at a place. Its answers are read (from the cache, else judged)
    on first use: a caller that keeps what it makes of them under `key` reads none."""

    search: FinderSearch
    lieu: Lieu
    notices: list[str] = field(default_factory=list)
    zones: list = field(default_factory=list)  # the zones at the place on the answer's date
    key: str = ""  # the answers' cache key: filters, the place's signature, data version
    place_zones: list = field(default_factory=list, repr=False)  # what the verdicts read
    version: str = ""  # the data version of `key`, which the candidate aids follow too

    def answers(self, nom: str | None = None) -> list[Eligibilite]:
        """Every answer, sorted, its sentences naming `nom` (by default the place's commune;
        `raisons.COMMUNE` for what is kept for every commune of the signature)."""
        if nom is None:
            nom = self.lieu.commune.nom if self.lieu.commune is not None else ""
        return cached_verdicts(
            self.search, self.lieu, self.place_zones, self.key, nom, self.version
        )

    def kept(self, name: str, build):
        """`build(answers)` for the answers named with `raisons.COMMUNE`, cached beside them
        (same signature, same data version) under `name`: what a page or the API makes of
        the answers is made once for every commune of the signature. The caller puts the
        commune's name (escaped for where it goes) in place of the mark."""
        key = f"{self.key}:{name}"
        value = cache.get(key)
        if value is None:
            value = build(self.answers(nom=COMMUNE))
            cache.set(key, value, timeout=None)  # keyed by the version: never stale
        return value

    @cached_property
    def _named(self) -> list[Eligibilite]:
        return self.answers()

    @cached_property
    def results(self) -> list[Eligibilite]:  # éligibles, then à vérifier
        return [r for r in self._named if r.applicable]

    @cached_property
    def non_applicables(self) -> list[Eligibilite]:
        return [r for r in self._named if not r.applicable]

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
    version = dataversion.current()
    profession = cleaned.get("profession") or None
    key = verdicts_key(search, signature(lieu, zones, version, profession), version)
    shown = zones if lieu.commune is not None else []
    return SearchResult(search, lieu, notices, shown, key, zones, version)


@dataclass(frozen=True)
class Verdict:
    """An aid's answer without the aid nor the commune's name: what is cached."""

    aide_id: int
    statut: str
    ouverte: bool
    score: int
    sans_lieu: bool
    raisons: tuple[Raison, ...]
    incertitudes: tuple[Raison, ...]
    pourquoi_pas: tuple[Raison, ...]

    @classmethod
    def of(cls, found: Eligibilite, same: dict) -> Verdict:
        # Equal reasons (one zone's, for hundreds of aids) pickled once.
        def canon(raisons):
            return tuple(same.setdefault(r, r) for r in raisons)

        return cls(
            found.aide.pk, found.statut, found.ouverte, found.score, found.sans_lieu,
            canon(found.raisons), canon(found.incertitudes), canon(found.pourquoi_pas),
        )  # fmt: skip

    def at(self, aide, nom: str) -> Eligibilite:
        return Eligibilite(
            aide, [named(r, nom) for r in self.raisons], self.ouverte, self.score,
            self.sans_lieu, self.statut, [named(r, nom) for r in self.incertitudes],
            [named(r, nom) for r in self.pourquoi_pas],
        )  # fmt: skip


def cached_verdicts(search: FinderSearch, lieu: Lieu, zones, key: str, nom: str, version: str):
    """The search's answers, sorted, computed once per data version and signature (`key`),
    their sentences naming `nom`. A miss judges the candidate aids (`_candidates`)."""
    rows = cache.get(key)
    aides = _candidates(search, version)
    if rows is None:
        rows = cache_verdicts(key, judge_place(search, lieu, zones, aides), search.tri)
    return [row.at(aides[row.aide_id], nom) for row in rows if row.aide_id in aides]


def judge_place(search: FinderSearch, lieu: Lieu, zones, aides: dict) -> list[Eligibilite]:
    """Every candidate aid judged at the place (named `raisons.COMMUNE`)."""
    ici = Ici(_anonymous(lieu), search.date, zones)
    profession = search.cleaned.get("profession") or None
    return [judge(aide, ici, profession) for aide in aides.values()]


# The candidate aids of the last searches, by data version and filters: every signature of
# a search judges the same aids, read once per process instead of once per signature. Keyed
# by the shared data version, so a write on any app server retires them at once.
CANDIDATES_KEPT = 16
_kept_candidates: OrderedDict[tuple, dict] = OrderedDict()


def forget_candidates() -> None:
    """Tests: a rolled-back transaction can bring an earlier data version back."""
    _kept_candidates.clear()
    _kept_named.clear()


def _candidates(search: FinderSearch, version: str) -> dict:
    """{id: aid} of the search's filters, profession and stage, relations attached, as of
    the data version the verdicts' key names."""
    cleaned = search.cleaned
    profession, etape = cleaned.get("profession") or None, cleaned.get("etape") or None
    key = (version, search.filters_key())
    aides = _kept_candidates.get(key)
    if aides is None:
        found = candidates(search.queryset, profession, etape)
        aides = _kept_candidates[key] = {aide.pk: aide for aide in found}
        while len(_kept_candidates) > CANDIDATES_KEPT:
            _kept_candidates.popitem(last=False)
    else:
        _kept_candidates.move_to_end(key)
    return aides


def verdicts_key(search: FinderSearch, place: tuple, version: str) -> str:
    """Where the answers of `search` at a place of that `signature` are cached."""
    return "aides:verdicts:" + _digest(version, search, place)


def cache_verdicts(key: str, found: list[Eligibilite], tri: str) -> list[Verdict]:
    """Sort `found` (one place's verdicts, named with `raisons.COMMUNE`) and cache them
    under `key`; also what « Où m'installer ? » leaves for the finder links of its table."""
    sort(found, tri)
    same = {}
    rows = [Verdict.of(r, same) for r in found]
    cache.set(key, rows, timeout=None)  # keyed by the version: never stale
    return rows


def signature(lieu: Lieu, zones, version: str, profession=None) -> tuple:
    """What the verdicts read of the place: its zones on the date (id, over part of it or
    not; for a profession searched, only the zones of no profession or of that one, the
    only ones its verdicts read), its région (aid territories, acts in force, doctors'
    zones that may differ at the address), its département when some aid names it, whether
    it is an arrondissement or a point, and which of the communes some aid lists it is. Not
    its name (see `_anonymous`): communes of the same zones in one région share one answer.
    """
    if not lieu.connu:
        return ("sans lieu",)
    matches = tuple(
        (zone.zone_id, zone.partiel)
        for zone in zones
        if not (profession and zone.profession and zone.profession != profession)
    )
    commune = lieu.commune
    if commune is None:
        return ("point hors commune", matches)
    communes, departements = _named(version)
    listed = sorted({commune.id, commune.parent_id} & communes)
    departement = commune.departement_id
    if departement not in departements:
        departement = None  # no aid names it: its communes share their answers with others
    return (
        lieu.point, commune.region_id, departement, commune.parent_id is not None,
        tuple(listed), matches,
    )  # fmt: skip


# The territories some aid names, for the current data version (read for every search).
_kept_named: dict[str, tuple[frozenset[int], frozenset[int]]] = {}


def _named(version: str) -> tuple[frozenset[int], frozenset[int]]:
    """Ids of the communes and of the départements some aid names, as its territory or in a
    condition on a whole département (usually a few): a verdict reads no other commune's or
    département's identity. One query, cached by data version, then kept per process."""
    named = _kept_named.get(version)
    if named is None:
        named = _named_shared(version)
        _kept_named.clear()
        _kept_named[version] = named
    return named


def _named_shared(version: str) -> tuple[frozenset[int], frozenset[int]]:
    key = f"aides:territoires-nommes:{version}"
    named = cache.get(key)
    if named is None:
        communes = Aide.communes.through.objects.annotate(niveau=Value("commune"))
        departements = Aide.departements.through.objects.annotate(niveau=Value("departement"))
        conditions = ConditionZonage.objects.exclude(departement=None)
        conditions = conditions.annotate(niveau=Value("departement"))
        rows = communes.values_list("commune_id", "niveau").union(
            departements.values_list("departement_id", "niveau"),
            conditions.values_list("departement_id", "niveau"),
            all=True,
        )
        ids = {"commune": set(), "departement": set()}
        for pk, niveau in rows:
            ids[niveau].add(pk)
        named = (frozenset(ids["commune"]), frozenset(ids["departement"]))
        cache.set(key, named, timeout=None)
    return named


def _digest(version: str, search: FinderSearch, place: tuple) -> str:
    """The key's filters are what the aids' query is made of (the catalogue or the one aid
    of an aid page; profession, stage, public, financer, form, date, closed or not), with
    the sort."""
    filters = (search.filters_key(), search.tri)
    return f"{version}:" + hashlib.sha256(repr((filters, place)).encode()).hexdigest()


def _anonymous(lieu: Lieu) -> Lieu:
    """The place with `raisons.COMMUNE` for its commune's name: sentences computed at one
    commune then read right at every commune sharing its signature."""
    if lieu.commune is None:
        return lieu
    commune = copy.copy(lieu.commune)
    commune.nom = COMMUNE
    return replace(lieu, commune=commune)


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
