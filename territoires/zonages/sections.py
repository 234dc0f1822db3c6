"""Zoning sections of the commune and département pages (territoires.sections registry)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from territoires.models import Commune, Profession, ZonageKind
from territoires.sections import register
from territoires.zonages.display import zones_commune_context
from territoires.zonages.forms import CHOIX_ZONAGE
from territoires.zonages.lookup import zones_for_communes


def commune_section(request, commune) -> dict:
    """Zones of the commune per profession, with their acts (3 queries)."""
    return {
        **zones_commune_context(commune),
        "carte_url": _map_url(commune.departement.code),
    }


def departement_section(request, departement) -> dict:
    """Links to the zonings map of the département, one per profession or zoning (no query)."""
    return {
        "liens": [
            {"libelle": label, "url": _map_url(departement.code, value)}
            for value, label in CHOIX_ZONAGE
        ]
    }


def _map_url(departement_code, profession="medecin-generaliste") -> str:
    query = urlencode({"profession": profession, "departement": departement_code})
    return f"{reverse('zonages:index')}?{query}#resultat"


def departement_zones(request, departement) -> dict[str, list]:
    """Zones of every commune of the département (INSEE code → matches), computed once per
    request (4 queries): the zonings section and the aids section of other apps share them."""
    cached = getattr(request, "_zones_departement", None)
    if cached is not None and cached[0] == departement.pk:
        return cached[1]
    codes = list(
        Commune.objects.filter(departement=departement)
        .exclude(arrondissements__isnull=False)
        .values_list("code", flat=True)
        .distinct()
    )
    matches = zones_for_communes(codes, date=timezone.localdate())
    request._zones_departement = (departement.pk, matches)
    return matches


@dataclass
class ZonesProfession:
    profession: str
    libelle: str
    categories: list[tuple[str, int, int]] = field(
        default_factory=list
    )  # (libellé, entières, parties)


KIND_LABELS = {
    ZonageKind.QPV.value: "Quartiers prioritaires",
    ZonageKind.RURAL.value: "Zones rurales",
}


def zonages(request, departement) -> dict:
    """Per profession, each zone category and how many communes it covers (wholly/partly)."""
    matches = departement_zones(request, departement)
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
    for value, label in [*Profession.choices, *KIND_LABELS.items()]:
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


def register_sections():
    register(
        "commune",
        "zonages",
        "territoires/zonages/partials/section_commune.html",
        commune_section,
        10,
    )
    register(
        "departement", "zonages", "territoires/zonages/partials/section_departement.html",
        departement_section, 10,
    )  # fmt: skip
    # Right after the links above: the zone categories of the département and their counts.
    register("departement", "public-zones", "territoires/zonages/departement.html", zonages, 11)
