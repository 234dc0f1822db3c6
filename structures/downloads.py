"""Open-data downloads of the supported structures (CSV, GeoJSON) and professionals (CSV).

Under /donnees/ (the front door, portal.views, links to them); serializers in
structures.opendata. The map filters apply to the structures; bad filters get a French 400.
"""

from django.views.decorators.http import condition, require_GET

from portal.lib.opendata import text_bad_request
from portal.lib.responses import first_errors, json_response
from portal.lib.spreadsheets import csv_response
from structures.filters import OpenDataStructureFilter
from structures.models import Structure
from structures.opendata import (
    PROFESSIONNELS_COLUMNS,
    STRUCTURE_COLUMNS,
    bilan_modified,
    feature_collection,
    professionnels_par_commune,
    structure_csv_rows,
    structure_records,
    structures_modified,
)


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
