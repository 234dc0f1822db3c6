"""Open-data downloads of the aid catalogue (CSV, JSON), under /donnees/ (serializers in
aides.opendata)."""

from django.views.decorators.http import condition, require_GET

from aides.opendata import AIDE_COLUMNS, aide_csv_rows, aide_records, aides_modified
from portal.lib.opendata import LICENCE
from portal.lib.responses import json_response
from portal.lib.spreadsheets import csv_response


@require_GET
@condition(last_modified_func=aides_modified)
def aides_csv(request):
    return csv_response("aides.csv", AIDE_COLUMNS, aide_csv_rows(aide_records(request)))


@require_GET
@condition(last_modified_func=aides_modified)
def aides_json(request):
    records = aide_records(request)
    body = {"licence": LICENCE, "nombre": len(records), "results": records}
    return json_response(body)
