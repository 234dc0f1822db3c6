"""What the public journeys add to a département page: key figures, structures, zonings, aids.

Registered as sections of the territoires département page (territoires.sections) from
PortalConfig.ready(): territoires never imports this module. Each function returns the
context of one partial (templates/structures/departement/, aides/departement.html, …).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from aides.models import Aide
from aides.montants import format_montant
from aides.relations import attach
from portal.lib.secret import SECRET_LABEL
from structures.maps import carte_departement
from structures.models import Structure
from structures.stats import departement_key_figures
from territoires import maps as carto
from territoires.models import Commune, Profession, ZonageKind
from territoires.sections import register
from territoires.zonages.lookup import zones_for_communes

TABLE_ROWS = 30


def chiffres_cles(request, departement) -> dict:
    figures = departement_key_figures(departement)
    return {"departement": departement, "chiffres": figures, "secret_label": SECRET_LABEL}


def structures(request, departement) -> dict:
    result = carte_departement(request, departement, Structure.objects.published())
    return {
        "departement": departement,
        "result": result,
        "carte": result.carte,
        # The page may already load Leaflet for its own map: then only the extra assets.
        "header_supplement": carto.extra_header(result.carte),
        "lignes": result.lignes[:TABLE_ROWS],
        "tronque": len(result.lignes) > TABLE_ROWS,
    }


@dataclass
class ZonesProfession:
    profession: str
    libelle: str
    categories: list[tuple[str, int, int]] = field(
        default_factory=list
    )  # (libellé, entières, parties)


def _matches(request, departement) -> dict[str, list]:
    """Zones of every commune of the département, computed once per request (3 queries)."""
    cached = getattr(request, "_portal_zones_departement", None)
    if cached is not None and cached[0] == departement.pk:
        return cached[1]
    codes = list(
        Commune.objects.filter(departement=departement)
        .exclude(arrondissements__isnull=False)
        .values_list("code", flat=True)
        .distinct()
    )
    matches = zones_for_communes(codes, date=timezone.localdate())
    request._portal_zones_departement = (departement.pk, matches)
    return matches


def zonages(request, departement) -> dict:
    """Per profession, each zone category and how many communes it covers (wholly/partly)."""
    matches = _matches(request, departement)
    counts = defaultdict(lambda: [0, 0])
    labels, order = {}, {}
    demo = False
    for code_matches in matches.values():
        seen = set()
        for m in code_matches:
            key = (m.profession or m.kind, m.categorie)
            labels[key], order[key] = m.categorie_libelle, m.categorie_ordre
            demo |= m.demonstration
            if (key, m.partiel) in seen:
                continue
            seen.add((key, m.partiel))
            counts[key][1 if m.partiel else 0] += 1
    groups = []
    kinds = {
        ZonageKind.QPV.value: "Quartiers prioritaires",
        ZonageKind.RURAL.value: "Zones rurales",
    }
    for value, label in [*Profession.choices, *kinds.items()]:
        keys = sorted((k for k in counts if k[0] == value), key=lambda k: order[k])
        groups.append(
            ZonesProfession(value, label, [(labels[k], counts[k][0], counts[k][1]) for k in keys])
        )
    return {
        "departement": departement,
        "groupes": groups,
        "communes": len(matches),
        "demonstration": demo,
    }


def _present(matches) -> set[tuple[str | None, str]]:
    return {(m.profession, m.categorie) for ms in matches.values() for m in ms}


def aides(request, departement) -> dict:
    """Published aids open today that apply in at least part of the département, and why."""
    present = _present(_matches(request, departement))
    queryset = Aide.objects.published().open_on(timezone.localdate()).order_by("nom")
    candidates = attach(list(queryset), queryset)
    commune_ids = {pk for aide in candidates for pk, _ in aide.rel.communes}
    here = set(
        Commune.objects.filter(pk__in=commune_ids, departement=departement).values_list(
            "pk", flat=True
        )
    )
    found = []
    for aide in candidates:
        scope = _scope(aide.rel, departement, here)
        if scope is None:
            continue
        if aide.rel.conditions:
            scope = _where(aide.rel.conditions, departement, present, aide.professions)
            if scope is None:
                continue
        found.append({"aide": aide, "pourquoi": scope, "montant": format_montant(aide)})
    return {"departement": departement, "aides": found}


def _scope(rel, departement, communes_here: set[int]) -> str | None:
    if not rel.has_scope:
        return "aide nationale"
    if any(pk == departement.region_id for pk, _ in rel.regions):
        return f"toute la région {departement.region.nom}"
    if any(pk == departement.pk for pk, _, _ in rel.departements):
        return "tout le département"
    inside = [nom for pk, nom in rel.communes if pk in communes_here]
    if inside:
        return "communes de " + ", ".join(inside)
    return None


def _where(conditions, departement, present, aide_professions) -> str | None:
    reasons = []
    for condition in conditions:
        if condition.departement_id == departement.pk:
            return condition.libelle or "tout le département"
        wanted = {condition.profession} if condition.profession else set(aide_professions)
        for profession, categorie in present:
            if categorie not in condition.codes:
                continue
            if profession and wanted and profession not in wanted:
                continue
            reasons.append(condition.libelle or categorie.upper())
    if not reasons:
        return None
    return "dans certaines zones : " + ", ".join(dict.fromkeys(reasons))


def register_sections() -> None:
    # Orders around the zonings section of territoires (10): its links, then these counts.
    sections = [
        ("public-chiffres", "structures/departement/chiffres.html", chiffres_cles, 5),
        ("public-zones", "territoires/zonages/departement.html", zonages, 11),
        ("public-structures", "structures/departement/structures.html", structures, 20),
        ("public-aides", "aides/departement.html", aides, 40),
    ]
    for key, template, context, order in sections:
        register("departement", key, template, context, order)
