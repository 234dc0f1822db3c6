"""The site shell's pages: home, accessibility, legal notice, error pages, and the open-data
front door (/donnees/ and the API documentation page; the downloads are their owners':
structures.downloads, aides.downloads)."""

from django.shortcuts import render
from django.urls import reverse

from aides.opendata import AIDE_COLUMNS
from portal.api import endpoints
from portal.lib import secret
from portal.lib.opendata import LICENCE
from structures.opendata import PROFESSIONNELS_COLUMNS, STRUCTURE_COLUMNS, bilan_modified


def home(request):
    journeys = {
        "aides": reverse("aides:finder"),
        "carte": reverse("structures:carte"),
        "zonages": reverse("zonages:index"),
        "agents": reverse("admin:index"),
    }
    return render(request, "portal/home.html", {"title": "Accueil", "journeys": journeys})


def accessibilite(request):
    return render(request, "portal/accessibilite.html", {"title": "Accessibilité"})


def mentions(request):
    return render(request, "portal/mentions.html", {"title": "Mentions légales"})


def coming_soon(request, title):
    """Placeholder for a journey not yet delivered: says so instead of a 404."""
    return render(request, "portal/coming_soon.html", {"title": title})


def page_not_found(request, exception):
    return render(request, "404.html", {"title": "Page non trouvée"}, status=404)


def server_error(request):
    # No context processors may run (the database may be what failed): a plain template.
    return render(request, "500.html", status=500)


# --- Open data --------------------------------------------------------------------------
def donnees(request):
    jeux = [
        {
            "titre": "Structures soutenues",
            "description": (
                "Maisons de santé, centres de santé, cabinets de groupe… financés : type, "
                "commune, point, aides, montant, date de décision, QPV et zone rurale. Sans "
                "adresse. Les filtres de la carte (région, département, type, statut, années) "
                "s'ajoutent à l'adresse."
            ),
            "liens": [
                ("CSV", reverse("structures:csv")),
                ("GeoJSON", reverse("structures:geojson")),
            ],
            "colonnes": STRUCTURE_COLUMNS,
        },
        {
            "titre": "Professionnels soutenus par commune",
            "description": (
                "Nombre de professionnels aidés et montant versé, par commune et par "
                "profession. Données personnelles : aucun professionnel n'est listé. "
                + secret.rule_text()
                + " Les cases masquées sont vides."
            ),
            "liens": [("CSV", reverse("structures:professionnels_csv"))],
            "colonnes": PROFESSIONNELS_COLUMNS,
        },
        {
            "titre": "Catalogue des aides",
            "description": (
                "Les aides publiées contre les déserts médicaux : publics, professions, "
                "territoires, montants, dates, sources officielles."
            ),
            "liens": [
                ("CSV", reverse("aides:csv")),
                ("JSON", reverse("aides:json")),
            ],
            "colonnes": AIDE_COLUMNS,
        },
        {
            "titre": "Bilan chiffré",
            "description": (
                "Chaque tableau du bilan se télécharge en CSV depuis la page Bilan ; les mêmes "
                "chiffres sont servis en JSON par l'API, sous le même secret statistique."
            ),
            "liens": [
                ("Page Bilan", reverse("structures:bilan")),
                ("JSON", reverse("portal:api_statistiques")),
            ],
            "colonnes": [],
        },
    ]
    context = {
        "title": "Données ouvertes",
        "jeux": jeux,
        "licence": LICENCE,
        "mise_a_jour": bilan_modified(request),
        "breadcrumb_data": {"current": "Données ouvertes"},
    }
    return render(request, "portal/donnees.html", context)


def documentation_api(request):
    context = {
        "title": "Documentation de l'API",
        "endpoints": endpoints(),
        "licence": LICENCE,
        "breadcrumb_data": {
            "links": [{"url": reverse("portal:donnees"), "title": "Données ouvertes"}],
            "current": "API",
        },
    }
    return render(request, "portal/donnees_api.html", context)
