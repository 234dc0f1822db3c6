"""Which aids apply here, and why?

The aids are fetched once with their relations (a constant number of queries) and judged
in Python against the zones returned by `territoires.zonages.lookup.zones_at`: an aid applies when
the place is inside its geographic scope and, if it has zoning conditions, satisfies one
of them. Every decision keeps the human reasons shown to the user ("ZIP — arrêté ARS
Île-de-France du 5 avril 2022", "QPV Les Francs-Moisins", "toute la région").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format

from aides.relations import attach
from territoires import locator
from territoires.models import Commune, Profession, ZonageKind
from territoires.zonages.categories import MEDECIN, NIVEAUX, QPV, RURAL
from territoires.zonages.lookup import zones_at

# Not shown in result cards nor used by eligibility: not read for hundreds of aids.
LONG_TEXT_FIELDS = (
    "description", "conditions", "contreparties", "demarches", "contact", "source_juridique",
    "note_verification",
)  # fmt: skip


@dataclass(frozen=True)
class Raison:
    texte: str
    url: str = ""
    demonstration: bool = False
    partiel: bool = False

    def __str__(self):
        return self.texte


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
    aide: object
    raisons: list[Raison] = field(default_factory=list)
    ouverte: bool = True
    score: int = 0
    a_verifier: bool = False  # the place was not given: conditions listed, not checked

    @property
    def demonstration(self) -> bool:
        return any(r.demonstration for r in self.raisons)


def resolve_lieu(commune=None, lat=None, lon=None) -> Lieu:
    """Commune instance (with its département, région and parent) for a code or a point."""
    if isinstance(commune, Commune):
        return Lieu(commune=commune, lat=lat, lon=lon)
    if commune:
        found = Commune.objects.filter(code=str(commune)).first()
        return Lieu(commune=found, lat=lat, lon=lon)
    if lat is not None and lon is not None:
        return Lieu(commune=_locate(lat, lon), lat=lat, lon=lon)
    return Lieu()


def _locate(lat, lon) -> Commune | None:
    found = locator.locate(lat, lon)
    if found is None or isinstance(found, Commune):
        return found
    return Commune.objects.filter(code=str(found)).first()


def zones_here(lieu: Lieu, date):
    if not lieu.connu:
        return []
    if lieu.point:
        return zones_at(commune=lieu.commune, lat=lieu.lat, lon=lieu.lon, date=date)
    return zones_at(commune=lieu.commune, date=date)


def evaluate(
    queryset,
    *,
    commune=None,
    lat=None,
    lon=None,
    profession=None,
    etape=None,
    date=None,
    lieu: Lieu | None = None,
) -> list[Eligibilite]:
    """Aids of `queryset` applying at the place, for the profession and stage, with reasons.

    Without a place, every aid passes and its conditions are listed as things to check.
    """
    date = date or timezone.localdate()
    if lieu is None:
        lieu = resolve_lieu(commune, lat, lon)
    if profession:
        queryset = queryset.for_profession(profession)
    if etape:
        queryset = queryset.for_stage(etape)
    zones = zones_here(lieu, date)
    queryset = queryset.defer(*LONG_TEXT_FIELDS)
    aides = attach(list(queryset), queryset)
    results = []
    for aide in aides:
        result = judge(aide, lieu, zones, profession, date)
        if result is not None:
            results.append(result)
    return results


def judge(aide, lieu: Lieu, zones, profession, date) -> Eligibilite | None:
    conditions = aide.rel.conditions
    if not lieu.connu:
        raisons = [Raison(t) for t in describe_conditions(aide, conditions, profession)]
        return Eligibilite(aide, raisons, aide.is_open_on(date), score=0, a_verifier=True)
    if lieu.commune is None:
        scope = None if aide.rel.has_scope else []
    else:
        scope = scope_reasons(aide, lieu.commune)
    if scope is None:
        return None
    if conditions:
        raisons = zoning_reasons(conditions, lieu, zones, profession, aide.professions)
        if not raisons:
            return None
        score = 10 + len(raisons)
    else:
        raisons = scope or [Raison("aide nationale, sans condition de lieu")]
        score = 5 if scope else 1
    return Eligibilite(aide, raisons, aide.is_open_on(date), score=score)


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


def zoning_reasons(conditions, lieu: Lieu, zones, profession, aide_professions=()) -> list[Raison]:
    """Reasons the place satisfies the aid's zoning conditions ([] when it does not).

    A zone covering the whole commune (or containing the point) is enough: partial matches
    (a QPV inside the commune, an arrondissement of Paris) are then left out; when only
    partial matches exist they are kept, several QPV grouped in one line.
    """
    whole: list[Raison] = []
    partial: list[Raison] = []
    partial_qpv: list[str] = []
    matches = zoning_matches(conditions, lieu.commune, zones, profession, aide_professions)
    for condition, zone in matches:
        if zone is None:
            whole.append(
                Raison(condition.libelle or f"tout le département {condition.departement.nom}")
            )
        elif zone.partiel and zone.kind == ZonageKind.QPV:
            partial_qpv.append(zone.libelle)
        else:
            raison = zone_reason(zone, show_profession=not profession)
            (partial if zone.partiel else whole).append(raison)
    if whole:
        return list(dict.fromkeys(whole))
    if partial_qpv:
        names = list(dict.fromkeys(partial_qpv))
        texte = (
            f"QPV {names[0]}"
            if len(names) == 1
            else f"{len(names)} quartiers prioritaires (QPV) : " + ", ".join(names)
        )
        partial.append(Raison(f"{texte} — {PARTIAL_NOTE}", partiel=True))
    return list(dict.fromkeys(partial))


PARTIAL_NOTE = "dans une partie de la commune seulement : vérifiez l'adresse"
_ACRONYM = re.compile(r"\(([^()]{2,8})\)\s*$")


def short_label(libelle: str) -> str:
    """ "Zone d'intervention prioritaire (ZIP)" → "ZIP"; other labels unchanged."""
    match = _ACRONYM.search(libelle or "")
    return match.group(1) if match else libelle


def zone_reason(zone, show_profession=True) -> Raison:
    if zone.kind == ZonageKind.QPV:
        texte = f"QPV {zone.libelle}"
    elif zone.kind == ZonageKind.RURAL:
        texte = f"commune rurale ({short_label(zone.categorie_libelle)})"
    else:
        quand = date_format(zone.zonage_date, "j F Y") if zone.zonage_date else ""
        label = short_label(zone.categorie_libelle)
        if show_profession and zone.profession:
            label = f"{label} ({zone.profession_libelle.lower()})"
        texte = f"{label} — arrêté {zone.zonage_editeur} du {quand}"
    if zone.partiel:
        texte += f" — {PARTIAL_NOTE}"
    if zone.demonstration and "démonstration" not in texte:
        texte += " (zonage de démonstration)"
    return Raison(
        texte, url=zone.zonage_url, demonstration=zone.demonstration, partiel=zone.partiel
    )


def category_label(code: str) -> str:
    """Short French label of a zone category code ("zip-plus" → "ZIP+")."""
    labels = {c.code: c.libelle for c in (*MEDECIN, *NIVEAUX, QPV, *RURAL)}
    label = labels.get(code)
    if label is None:
        return code
    short = short_label(label)
    return short if short != label else label[0].lower() + label[1:]


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
