"""Zoning sections of the commune and département pages (territoires.sections registry)."""

from django.urls import reverse
from django.utils.http import urlencode

from territoires.sections import register
from territoires.zonages.display import zones_commune_context
from territoires.zonages.forms import CHOIX_ZONAGE


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
