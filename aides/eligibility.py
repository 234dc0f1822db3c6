"""Which aids apply here, and why — or why not?

Every aid that passes the user's filters (profession, stage, dates…) gets one of three
answers at a place (`Statut`): **éligible**, with what opens it (zone and act, territory);
**à vérifier**, with what the data cannot decide (a zone over part of the commune, a
category without result, a profession without zoning in the région, a doctors' commune-level
zone that may differ at the address, a point no loaded commune holds) — unknown is never
"not eligible"; **non applicable**, with why not, in sentences built from the data
(« Saint-Denis est en zone intermédiaire pour les infirmiers ; cette aide demande une zone
très sous-dotée ou sous-dotée »).

The aids are fetched once with their relations (a constant number of queries) and judged in
Python against the zones of `territoires.zonages.lookup.zones_at` and the acts in force (the
zone index: no query once warm). The finder, the aid page and the API share `verdicts`; the
département page applies the same rules (`scope_reasons`, `zoning_matches`). The sentences
are worded by `aides.raisons`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models
from django.utils import timezone

from aides.raisons import (
    NATIONAL,
    PARTIAL_NOTE,
    UNPLACED,
    Raison,
    category_label,
    no_condition_for,
    outside_territory,
    unmet,
    zone_reason,
)
from aides.relations import attach
from territoires import locator
from territoires.models import Commune, Profession, ZonageKind
from territoires.zonages.index import get_index
from territoires.zonages.lookup import zones_at

# Not shown in result cards nor used by eligibility: not read for hundreds of aids.
LONG_TEXT_FIELDS = (
    "description", "conditions", "contreparties", "demarches", "contact", "source_juridique",
    "note_verification",
)  # fmt: skip


class Statut(models.TextChoices):
    ELIGIBLE = "eligible", "Éligible"
    A_VERIFIER = "a_verifier", "À vérifier"
    NON_APPLICABLE = "non_applicable", "Ne s'applique pas ici"


STATUT_ORDER = {Statut.ELIGIBLE: 0, Statut.A_VERIFIER: 1, Statut.NON_APPLICABLE: 2}


@dataclass
class Lieu:
    """Where the user looks: a commune, a point, or both (the commune located from the point)."""

    commune: Commune | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def connu(self) -> bool:
        return self.commune is not None or self.lat is not None

    @property
    def point(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass
class Eligibilite:
    """The answer for one aid at one place: its status and the reasons that make it."""

    aide: object
    raisons: list[Raison] = field(default_factory=list)  # why it applies (what is known)
    ouverte: bool = True
    score: int = 0
    sans_lieu: bool = False  # no place given: the conditions are listed, not checked
    statut: str = Statut.ELIGIBLE
    incertitudes: list[Raison] = field(default_factory=list)  # what cannot be decided here
    pourquoi_pas: list[Raison] = field(default_factory=list)

    @property
    def applicable(self) -> bool:
        """Listed as a result: éligible or à vérifier."""
        return self.statut != Statut.NON_APPLICABLE

    @property
    def toutes(self) -> list[Raison]:
        return [*self.raisons, *self.incertitudes, *self.pourquoi_pas]

    @property
    def pourquoi(self) -> list[Raison]:
        """Why it may apply: what is known, then what is left to check."""
        return list(dict.fromkeys([*self.raisons, *self.incertitudes]))

    @property
    def demonstration(self) -> bool:
        return any(r.demonstration for r in self.toutes)

    @property
    def limites(self) -> list[str]:
        return revisions([self])


def revisions(results) -> list[str]:
    """The newer-act notices of the acts these answers rest on, once per act."""
    return list(dict.fromkeys(r.revision for v in results for r in v.toutes if r.revision))


@dataclass
class Ici:
    """The place judged on a date: its zones, and the zonings in force (to tell "not in the
    zone" from "no zoning known here")."""

    lieu: Lieu
    date: dt.date
    zones: list

    @cached_property
    def groups(self) -> frozenset:
        index = get_index()  # already built by zones_at: no query
        active = index.active(self.date)
        return frozenset(act.group for act in index.acts if act.id in active)

    def covered(self, kind, profession, region_id) -> bool:
        """Whether an act of `kind` (for `profession`) is in force here on the date."""
        return bool(
            {(kind, profession or "", region_id), (kind, profession or "", None)} & self.groups
        )


def resolve_lieu(commune=None, lat=None, lon=None) -> Lieu:
    """Commune instance (with its département, région and parent) for a code or a point."""
    if isinstance(commune, Commune):
        return Lieu(commune=commune, lat=lat, lon=lon)
    if commune:
        found = Commune.objects.with_refs().filter(code=str(commune)).first()
        return Lieu(commune=found, lat=lat, lon=lon)
    if lat is not None and lon is not None:
        return Lieu(commune=_locate(lat, lon), lat=lat, lon=lon)
    return Lieu()


def _locate(lat, lon) -> Commune | None:
    found = locator.locate(lat, lon)  # with its département and région
    if found is None or isinstance(found, Commune):
        return found
    return Commune.objects.with_refs().filter(code=str(found)).first()


def zones_here(lieu: Lieu, date):
    if not lieu.connu:
        return []
    if lieu.point:
        return zones_at(commune=lieu.commune, lat=lieu.lat, lon=lieu.lon, date=date)
    return zones_at(commune=lieu.commune, date=date)


def verdicts(
    queryset,
    *,
    commune=None,
    lat=None,
    lon=None,
    profession=None,
    etape=None,
    date=None,
    lieu: Lieu | None = None,
    zones=None,
) -> list[Eligibilite]:
    """Every aid of `queryset` for the profession and stage, with its status at the place
    (`zones`: the zones at `lieu` on `date`, when the caller already has them).

    Without a place, the aids with a condition of place are "à vérifier", their conditions
    listed; the others are eligible.
    """
    date = date or timezone.localdate()
    if lieu is None:
        lieu = resolve_lieu(commune, lat, lon)
    ici = Ici(lieu, date, zones_here(lieu, date) if zones is None else zones)
    return [judge(aide, ici, profession) for aide in candidates(queryset, profession, etape)]


def candidates(queryset, profession=None, etape=None) -> list:
    """The aids of `queryset` for the profession and stage, with what judging them reads
    (`aide.rel`): 6 queries whatever their number."""
    if profession:
        queryset = queryset.for_profession(profession)
    if etape:
        queryset = queryset.for_stage(etape)
    queryset = queryset.defer(*LONG_TEXT_FIELDS)
    return attach(list(queryset), queryset)


def evaluate(queryset, **kwargs) -> list[Eligibilite]:
    """The aids of `queryset` that apply at the place, or may (éligible, à vérifier)."""
    return [result for result in verdicts(queryset, **kwargs) if result.applicable]


def judge(aide, ici: Ici, profession) -> Eligibilite:
    rel, commune = aide.rel, ici.lieu.commune
    ouverte = aide.is_open_on(ici.date)
    if not ici.lieu.connu:
        lines = [Raison(t) for t in describe_conditions(aide, rel.conditions, profession)]
        if not (rel.conditions or rel.has_scope):
            return Eligibilite(aide, lines, ouverte, sans_lieu=True)
        return _a_verifier(aide, ouverte, [], lines, sans_lieu=True)
    if commune is None:  # a point that no loaded commune outline holds
        scope = None if rel.has_scope else []
    else:
        scope = scope_reasons(aide, commune)
        if scope is None:
            why = Raison(outside_territory(aide, commune))
            return Eligibilite(aide, [], ouverte, statut=Statut.NON_APPLICABLE, pourquoi_pas=[why])
    if not rel.conditions:
        if scope is None:
            return _a_verifier(aide, ouverte, [], [Raison(UNPLACED)])
        return Eligibilite(aide, scope or [Raison(NATIONAL)], ouverte, score=5 if scope else 1)
    certain, uncertain, why_not = zoning_verdict(rel.conditions, ici, profession, aide.professions)
    if commune is None and (scope is None or not certain):
        return _a_verifier(aide, ouverte, certain, [*uncertain, Raison(UNPLACED)])
    if certain:
        return Eligibilite(aide, certain, ouverte, score=10 + len(certain))
    if uncertain:
        return _a_verifier(aide, ouverte, [], uncertain)
    why_not = why_not or [Raison(no_condition_for(profession))]
    return Eligibilite(aide, [], ouverte, statut=Statut.NON_APPLICABLE, pourquoi_pas=why_not)


def _a_verifier(aide, ouverte, raisons, incertitudes, sans_lieu=False) -> Eligibilite:
    return Eligibilite(
        aide, raisons, ouverte, score=3, sans_lieu=sans_lieu, statut=Statut.A_VERIFIER,
        incertitudes=list(dict.fromkeys(incertitudes)),
    )  # fmt: skip


def zoning_verdict(conditions, ici: Ici, profession, aide_professions=()):
    """(certain, uncertain, why_not) reasons of the aid's zoning conditions at the place.

    A zone over the whole commune (or holding the point) is certain, unless it is a doctors'
    commune-level zone that may differ at the address; zones over part of the commune are
    uncertain. Only when nothing is certain are the unmet conditions explained.
    """
    whole, partial = _matched(conditions, ici.lieu, ici.zones, profession, aide_professions, True)
    certain = [r for r in whole if not r.adresse]
    uncertain = [r for r in whole if r.adresse] + partial
    if certain or ici.lieu.commune is None:
        return certain, uncertain, []
    more, why_not = unmet(conditions, ici, profession, aide_professions)
    return certain, uncertain + more, list(dict.fromkeys(why_not))


def zoning_reasons(conditions, lieu: Lieu, zones, profession, aide_professions=()) -> list[Raison]:
    """Reasons the place satisfies the aid's zoning conditions ([] when it does not).

    A zone covering the whole commune (or containing the point) is enough: partial matches
    (a QPV inside the commune, an arrondissement of Paris) are then left out; when only
    partial matches exist they are kept, several QPV grouped in one line.
    """
    whole, partial = _matched(conditions, lieu, zones, profession, aide_professions)
    return whole or partial


def _matched(conditions, lieu, zones, profession, aide_professions, limits=False):
    """(whole, partial) reasons; with `limits`, each carries the limits of its zone here."""
    commune = lieu.commune if limits else None
    whole: list[Raison] = []
    partial: list[Raison] = []
    partial_qpv: list = []
    matches = zoning_matches(conditions, lieu.commune, zones, profession, aide_professions)
    for condition, zone in matches:
        if zone is None:
            whole.append(
                Raison(condition.libelle or f"tout le département {condition.departement.nom}")
            )
        elif zone.partiel and zone.kind == ZonageKind.QPV:
            partial_qpv.append(zone)
        else:
            raison = zone_reason(zone, not profession, zones, commune)
            (partial if zone.partiel else whole).append(raison)
    if partial_qpv:
        names = list(dict.fromkeys(zone.libelle for zone in partial_qpv))
        texte = (
            f"QPV {names[0]}"
            if len(names) == 1
            else f"{len(names)} quartiers prioritaires (QPV) : " + ", ".join(names)
        )
        first = partial_qpv[0]
        texte = f"{texte} — {first.zonage_reference} — {PARTIAL_NOTE}"
        partial.append(Raison(texte, demonstration=first.demonstration, partiel=True))
    return list(dict.fromkeys(whole)), list(dict.fromkeys(partial))


def evaluate_departement(queryset, departement, zones_by_code, date=None) -> list[Eligibilite]:
    """Aids of `queryset` applying in at least one commune of the département, with one
    summary reason each ("toute la région …", "dans certaines zones : ZIP, ZAC").

    `zones_by_code` holds the zones of the département's communes (INSEE code → matches, as
    `zones_for_communes` answers). Each commune is judged by the finder's own rules
    (`scope_reasons`, `zoning_matches`), so the département page cannot list an aid the
    finder refuses in every commune of it (2 + 5 queries).
    """
    date = date or timezone.localdate()
    # Communes with the same zones answer the same zoning question: asked once per group.
    groups: dict[tuple, tuple[list, list[Commune]]] = {}
    for commune in Commune.objects.filter(departement=departement).only(
        "id", "code", "parent_id", "departement_id", "region_id"
    ):
        zones = zones_by_code.get(commune.code)
        if zones is not None:
            key = tuple((zone.zone_id, zone.partiel) for zone in zones)
            groups.setdefault(key, (zones, []))[1].append(commune)
    queryset = queryset.defer(*LONG_TEXT_FIELDS)
    results = []
    for aide in attach(list(queryset), queryset):
        texte = _departement_reason(aide, departement, groups.values())
        if texte is not None:
            results.append(Eligibilite(aide, [Raison(texte)], aide.is_open_on(date)))
    return results


def _departement_reason(aide, departement, groups) -> str | None:
    rel = aide.rel
    here, matched = [], []
    for zones, communes in groups:
        in_scope = [c for c in communes if scope_reasons(aide, c) is not None]
        if not in_scope:
            continue
        if rel.conditions:
            pairs = list(zoning_matches(rel.conditions, in_scope[0], zones, None, aide.professions))
            if not pairs:
                continue
            matched += pairs
        here += in_scope
    if not here:
        return None
    if rel.conditions:
        return _zones_summary(rel.conditions, matched)
    if not rel.has_scope:
        return "aide nationale"
    for pk, nom in rel.regions:
        if pk == departement.region_id:
            return f"toute la région {nom}"
    if any(pk == departement.pk for pk, _, _ in rel.departements):
        return "tout le département"
    ids = {c.id for c in here} | {c.parent_id for c in here}
    return "communes de " + ", ".join(nom for pk, nom in rel.communes if pk in ids)


def _zones_summary(conditions, matched) -> str:
    for condition, zone in matched:
        if zone is None:
            return condition.libelle or "tout le département"
    order = {condition.pk: i for i, condition in enumerate(conditions)}

    def rank(pair):
        condition, zone = pair
        return order[condition.pk], list(condition.codes).index(zone.categorie)

    matched = sorted({(c.pk, z.categorie): (c, z) for c, z in matched}.values(), key=rank)
    labels = [condition.libelle or zone.categorie.upper() for condition, zone in matched]
    return "dans certaines zones : " + ", ".join(dict.fromkeys(labels))


def scope_reasons(aide, commune: Commune) -> list[Raison] | None:
    """[] for a national aid, reasons when the commune is in scope, None when it is not."""
    rel = aide.rel
    if not rel.has_scope:
        return []
    for pk, nom in rel.regions:
        if pk == commune.region_id:
            return [Raison(f"toute la région {nom}")]
    for pk, code, nom in rel.departements:
        if pk == commune.departement_id:
            return [Raison(f"tout le département {nom} ({code})")]
    for pk, nom in rel.communes:
        if pk in (commune.id, commune.parent_id):
            return [Raison(f"toute la commune de {nom}")]
    return None


def zoning_matches(conditions, commune, zones, profession, aide_professions=()):
    """(condition, zone) pairs by which the place meets the aid's zoning conditions.

    `zone` is None for a condition on the whole département of `commune`. The finder's reasons
    and the département page's summary both come from these pairs.
    """
    for condition in conditions:
        if profession and condition.profession and condition.profession != profession:
            continue
        if (
            condition.departement_id
            and commune
            and condition.departement_id == commune.departement_id
        ):
            yield condition, None
        codes = set(condition.codes)
        if condition.profession or profession:
            wanted = {condition.profession or profession}
        else:
            wanted = set(aide_professions)  # empty: every profession
        for zone in zones:
            if zone.categorie not in codes:
                continue
            if zone.profession and wanted and zone.profession not in wanted:
                continue
            yield condition, zone


def describe_conditions(aide, conditions, profession=None) -> list[str]:
    """Conditions in words, for a search without a place and for the aid page."""
    lines = []
    for condition in conditions:
        if profession and condition.profession and condition.profession != profession:
            continue
        who = f" ({Profession(condition.profession).label.lower()})" if condition.profession else ""
        if condition.codes:
            label = " ou ".join(category_label(c) for c in condition.codes)
            where = f" — {condition.libelle}" if condition.libelle else ""
            lines.append(f"sous condition de zonage : {label}{who}{where}")
        if condition.departement_id:
            lines.append(condition.libelle or f"tout le département {condition.departement.nom}")
    if not conditions:
        rel = aide.rel
        scope = [nom for _, nom in rel.regions] + [nom for _, _, nom in rel.departements]
        scope += [nom for _, nom in rel.communes]
        lines.append(f"territoire : {', '.join(scope)}" if scope else "aide nationale")
    return list(dict.fromkeys(lines))
