"""The bilan page (/bilan/) and its tables as CSV. Figures: portal.stats, tables: bilan_tables."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import condition

from portal import secret, stats
from portal.bilan_tables import table, tables
from portal.csv import csv_response
from portal.filters import RegionForm, first_errors
from portal.opendata import bilan_modified, text_bad_request


def _region_form(request):
    """`?region=` absent: the first région of the portal (the Région's own bilan); empty: all."""
    data = request.GET.copy()
    data.setdefault("region", settings.DEFAULT_REGIONS[0])
    return RegionForm(data)


def bilan(request):
    form = _region_form(request)
    context = {
        "title": "Bilan des aides",
        "form": form,
        "secret_label": secret.SECRET_LABEL,
        "secret_rule": secret.rule_text(),
        "breadcrumb_data": {"current": "Bilan"},
    }
    if not form.is_valid():
        context["erreurs"] = first_errors(form)
        return render(request, "portal/bilan.html", context, status=400)
    result = stats.compute(form.cleaned_data["region"])
    region = form.cleaned_data["region"]
    context.update(
        {
            "bilan": result,
            "tableaux": tables(result),
            "region_code": region.code if region else "",
        }
    )
    return render(request, "portal/bilan.html", context)


@condition(last_modified_func=bilan_modified)
def bilan_csv(request, slug):
    form = _region_form(request)
    if not form.is_valid():
        return text_bad_request(first_errors(form))
    region = form.cleaned_data["region"]
    tableau = table(stats.compute(region), slug)
    if tableau is None:
        raise Http404("Ce tableau n'existe pas.")
    suffix = region.code if region else "toutes-regions"
    return csv_response(f"bilan-{slug}-{suffix}.csv", tableau.colonnes, tableau.csv_rows)
