"""Read-only open-data API under /api/v1/ (described by portal.openapi).

Bad parameters get a 400 with a French message, unknown objects a 404, never a 500.
Licence link, ETag and caching headers come from `portal.opendata.OpenDataMiddleware`;
Last-Modified from the `condition` decorators below.
"""

from functools import wraps

from django.db.models import Count, Sum
from django.http import JsonResponse
from django.views.decorators.http import condition, require_GET

from portal.lib.opendata import LICENCE
from portal.openapi import description
from structures import stats
from structures.filters import OpenDataStructureFilter, RegionForm, first_errors
from structures.models import Structure
from structures.opendata import (
    as_feature,
    bilan_modified,
    feature_collection,
    structure_records,
    structures_modified,
)
from territoires.models import Commune, Contour, Departement, Region

JSON_PARAMS = {"ensure_ascii": False}


def json_response(body, status=200, content_type="application/json"):
    return JsonResponse(
        body, status=status, safe=False, json_dumps_params=JSON_PARAMS, content_type=content_type
    )


def bad_request(messages: list | dict):
    return json_response(
        {"erreur": "Paramètres invalides : corrigez-les ou retirez-les.", "details": messages},
        status=400,
    )


def not_found(message):
    return json_response({"erreur": message}, status=404)


def known_params(*names):
    """400 for a query parameter the endpoint does not know: a typo must not widen a query."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            unknown = sorted(set(request.GET) - set(names))
            if unknown:
                allowed = ", ".join(names) or "aucun"
                return bad_request(
                    {
                        key[:40]: [f"Paramètre inconnu (paramètres acceptés : {allowed})."]
                        for key in unknown
                    }
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@require_GET
@known_params("region")
@condition(last_modified_func=bilan_modified)
def statistiques(request):
    form = RegionForm(request.GET)
    if not form.is_valid():
        return bad_request(first_errors(form))
    bilan = stats.compute(form.cleaned_data["region"])
    return json_response({**bilan.as_json(), "licence": LICENCE})


@require_GET
@known_params(*OpenDataStructureFilter.base_filters)
@condition(last_modified_func=structures_modified)
def structures(request):
    filterset = OpenDataStructureFilter(request.GET, queryset=Structure.objects.published())
    if not filterset.is_valid():
        return bad_request(first_errors(filterset))
    body = feature_collection(structure_records(filterset.qs), structures_modified(request))
    return json_response(body, content_type="application/geo+json")


@require_GET
@known_params()
@condition(last_modified_func=structures_modified)
def structure(request, id):  # `id`: the path parameter of the OpenAPI description
    records = structure_records(Structure.objects.published().filter(pk=id))
    if not records:
        return not_found("Aucune structure publiée ne porte cet identifiant.")
    return json_response(
        {**as_feature(records[0]), "licence": LICENCE}, content_type="application/geo+json"
    )


# --- Territories --------------------------------------------------------------------------


def _population(queryset, key):
    rows = Commune.objects.communes().filter(**{f"{key}__in": queryset}).values(key)
    return {r[key]: r["population"] for r in rows.annotate(population=Sum("population"))}


def _bbox(niveau, code):
    contour = Contour.objects.filter(niveau=niveau, code=code).first()
    return list(contour.bbox) if contour else None


@require_GET
@known_params()
def regions(request):
    queryset = Region.objects.order_by("code").annotate(nombre_departements=Count("departements"))
    results = [
        {"code": r.code, "nom": r.nom, "nombre_departements": r.nombre_departements}
        for r in queryset
    ]
    return json_response({"licence": LICENCE, "nombre": len(results), "results": results})


@require_GET
@known_params()
def region(request, code):
    found = Region.objects.filter(code=code.upper()).first()
    if found is None:
        return not_found("Aucune région ne porte ce code INSEE.")
    departements = list(found.departements.order_by("code"))
    population = _population(Region.objects.filter(pk=found.pk), "region")
    body = {
        "code": found.code,
        "nom": found.nom,
        "population": population.get(found.pk),
        "departements": [{"code": d.code, "nom": d.nom} for d in departements],
        "bbox": _bbox(Contour.Niveau.REGION, found.code),
        "licence": LICENCE,
    }
    return json_response(body)


@require_GET
@known_params("region")
def departements(request):
    form = RegionForm(request.GET)
    if not form.is_valid():
        return bad_request(first_errors(form))
    queryset = Departement.objects.select_related("region").order_by("code")
    if form.cleaned_data["region"] is not None:
        queryset = queryset.filter(region=form.cleaned_data["region"])
    results = [{"code": d.code, "nom": d.nom, "region": d.region.code} for d in queryset]
    return json_response({"licence": LICENCE, "nombre": len(results), "results": results})


@require_GET
@known_params()
def departement(request, code):
    found = Departement.objects.select_related("region").filter(code=code.upper()).first()
    if found is None:
        return not_found("Aucun département ne porte ce code INSEE.")
    population = _population(Departement.objects.filter(pk=found.pk), "departement")
    body = {
        "code": found.code,
        "nom": found.nom,
        "region": {"code": found.region.code, "nom": found.region.nom},
        "population": population.get(found.pk),
        "nombre_communes": found.communes.filter(type=Commune.Type.COMMUNE).count(),
        "bbox": _bbox(Contour.Niveau.DEPARTEMENT, found.code),
        "licence": LICENCE,
    }
    return json_response(body)


def _commune_json(commune: Commune, detail=False) -> dict:
    body = {
        "code": commune.code,
        "nom": commune.nom,
        "type": commune.type,
        "departement": commune.departement.code,
        "region": commune.region.code,
        "population": commune.population,
        "codes_postaux": commune.liste_codes_postaux,
        "commune_parente": commune.parent.code if commune.parent_id else None,
    }
    if detail:
        epci = commune.epci
        body["epci"] = {"code": epci.code, "nom": epci.nom, "type": epci.type} if epci else None
        body["bbox"] = _bbox(Contour.Niveau.COMMUNE, commune.code)
    return body


@require_GET
@known_params("departement", "region")
def communes(request):
    form = RegionForm(request.GET)
    code = request.GET.get("departement", "")
    if not form.is_valid():
        return bad_request(first_errors(form))
    queryset = Commune.objects.select_related("departement", "region", "parent").order_by("code")
    if code:
        dep = Departement.objects.filter(code=code.upper()).first() if len(code) <= 3 else None
        if dep is None:
            return bad_request(["Département inconnu : indiquez son code INSEE (93, 2A…)."])
        queryset = queryset.filter(departement=dep)
    elif form.cleaned_data["region"] is not None:
        queryset = queryset.filter(region=form.cleaned_data["region"])
    else:
        return bad_request(
            ["Précisez un département (?departement=93) ou une région (?region=11)."]
        )
    results = [_commune_json(c) for c in queryset]
    return json_response({"licence": LICENCE, "nombre": len(results), "results": results})


@require_GET
@known_params()
def commune(request, code):
    found = Commune.objects.with_refs().filter(code=code.upper()).first()
    if found is None:
        return not_found("Aucune commune ne porte ce code INSEE.")
    return json_response({**_commune_json(found, detail=True), "licence": LICENCE})


@require_GET
@known_params()
def openapi(request):
    return json_response(description())
