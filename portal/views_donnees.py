"""Open data: the /donnees/ page, its downloads and the API documentation page."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import condition, require_GET

from portal.api import json_response
from portal.lib import secret
from portal.lib.spreadsheets import csv_response
from portal.openapi import endpoints
from portal.opendata import (
    AIDE_COLUMNS,
    LICENCE,
    PROFESSIONNELS_COLUMNS,
    STRUCTURE_COLUMNS,
    aide_csv_rows,
    aide_records,
    aides_modified,
    bilan_modified,
    feature_collection,
    professionnels_par_commune,
    structure_csv_rows,
    structure_records,
    structures_modified,
    text_bad_request,
)
from structures.filters import OpenDataStructureFilter, first_errors
from structures.models import Structure


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
                ("CSV", reverse("portal:donnees_structures_csv")),
                ("GeoJSON", reverse("portal:donnees_structures_geojson")),
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
            "liens": [("CSV", reverse("portal:donnees_professionnels_csv"))],
            "colonnes": PROFESSIONNELS_COLUMNS,
        },
        {
            "titre": "Catalogue des aides",
            "description": (
                "Les aides publiées contre les déserts médicaux : publics, professions, "
                "territoires, montants, dates, sources officielles."
            ),
            "liens": [
                ("CSV", reverse("portal:donnees_aides_csv")),
                ("JSON", reverse("portal:donnees_aides_json")),
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


def _structures(request):
    filterset = OpenDataStructureFilter(request.GET, queryset=Structure.objects.published())
    if not filterset.is_valid():
        return None, first_errors(filterset)
    return structure_records(filterset.qs), []


@require_GET
@condition(last_modified_func=structures_modified)
def structures_csv(request):
    records, errors = _structures(request)
    if errors:
        return text_bad_request(errors)
    return csv_response("structures-soutenues.csv", STRUCTURE_COLUMNS, structure_csv_rows(records))


@require_GET
@condition(last_modified_func=structures_modified)
def structures_geojson(request):
    records, errors = _structures(request)
    if errors:
        return text_bad_request(errors)
    response = json_response(
        feature_collection(records, structures_modified(request)),
        content_type="application/geo+json",
    )
    response["Content-Disposition"] = 'attachment; filename="structures-soutenues.geojson"'
    return response


@require_GET
@condition(last_modified_func=bilan_modified)
def professionnels_csv(request):
    return csv_response(
        "professionnels-soutenus-par-commune.csv",
        PROFESSIONNELS_COLUMNS,
        professionnels_par_commune(),
    )


@require_GET
@condition(last_modified_func=aides_modified)
def aides_csv(request):
    return csv_response("aides.csv", AIDE_COLUMNS, aide_csv_rows(aide_records(request)))


@require_GET
@condition(last_modified_func=aides_modified)
def aides_json(request):
    records = aide_records(request)
    return json_response({"licence": LICENCE, "nombre": len(records), "results": records})
