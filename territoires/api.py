"""The territories of the API: `/api/v1/territoires/…` (référentiel) and `/api/v1/lieu`.

`/api/v1/lieu?lat=…&lon=…` or `?commune=INSEE` gives the commune (and arrondissement) of a
place with the zones in force there today, or on `?date=AAAA-MM-JJ` (the answer's `date`
says which day; territoires.zonages.lookup.zones_at; with a point, QPV polygons count only
if they contain it). Each zone carries the limits of its answer (`notes`). Other apps and
outside users rely on its keys: extend it in `lieu_payload`, so every caller gets the same.
Its errors are `{"erreur": "<message en français>"}`, 400 (malformed input) or 404 (no known
commune there).

A commune is described by one function, `commune_json`, in every answer: the référentiel's
list and detail add the codes of its département and région (and its parent, EPCI and
bounding box), /lieu their names and the commune's page.
"""

import datetime as dt
import math
import re
from typing import Literal

from django.db.models import Count, Sum
from django.utils import timezone
from ninja import Field, Path, Query, Router
from ninja.decorators import decorate_view

from portal.lib.opendata import LICENCE
from portal.lib.responses import (
    bad_request,
    error,
    first_errors,
    json_response,
    known_params,
    not_found,
)
from portal.lib.schemas import (
    NUMBER,
    Erreur,
    Licence,
    Open,
    Reference,
    Strict,
    accepts,
    example,
    param,
)
from territoires.forms import RegionForm
from territoires.locator import locate_place
from territoires.models import Commune, Contour, Departement, Region
from territoires.resolver import Outcome, resolve_code
from territoires.zonages.display import api_zones
from territoires.zonages.lookup import zones_at

router = Router(tags=["Territoires"])

_INSEE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
Bbox = list[float] | None


# --- One commune, every answer ------------------------------------------------------------


class Epci(Strict):
    code: str
    nom: str
    type: str


class CommuneBase(Strict):
    code: str
    nom: str
    type: Literal[tuple(Commune.Type.values)]
    population: int | None
    codes_postaux: list[str]


class CommuneItem(CommuneBase):
    departement: str
    region: str
    commune_parente: str | None


class CommuneDetail(CommuneItem):
    epci: Epci | None
    bbox: Bbox
    licence: Licence


class CommuneLieu(CommuneBase):
    departement: Reference | None
    region: Reference | None
    epci: Epci | None
    url: str


def commune_json(commune: Commune) -> dict:
    """The keys every answer about a commune shares (schema `CommuneBase`)."""
    return {
        "code": commune.code,
        "nom": commune.nom,
        "type": commune.type,
        "population": commune.population,
        "codes_postaux": commune.liste_codes_postaux,
    }


def _epci(commune: Commune) -> dict | None:
    epci = commune.epci
    return {"code": epci.code, "nom": epci.nom, "type": epci.type} if epci else None


def _reference(obj) -> dict | None:
    return {"code": obj.code, "nom": obj.nom} if obj is not None else None


def _commune_item(commune: Commune) -> dict:
    return {
        **commune_json(commune),
        "departement": commune.departement.code,
        "region": commune.region.code,
        "commune_parente": commune.parent.code if commune.parent_id else None,
    }


def territoire_json(commune: Commune, request=None) -> dict:
    """A commune in /lieu: its département and région named, its page's address."""
    url = commune.get_absolute_url()
    return {
        **commune_json(commune),
        "departement": _reference(commune.departement),
        "region": _reference(commune.region),
        "epci": _epci(commune),
        "url": request.build_absolute_uri(url) if request is not None else url,
    }


# --- Lieu -----------------------------------------------------------------------------------


class LieuError(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class LieuQuery(Strict):
    lat: accepts(NUMBER) = param("Latitude WGS84 (virgule décimale acceptée).", example=48.9362)
    lon: accepts(NUMBER) = param("Longitude WGS84 (virgule décimale acceptée).", example=2.3574)
    commune: accepts() = param("Code INSEE de la commune (à la place du point).")
    date: accepts({"type": "string", "format": "date"}) = param(
        "Jour du zonage, AAAA-MM-JJ (par défaut : aujourd'hui) : les zones en vigueur ce "
        "jour-là (avant le 1er juillet 2024, les ZRR ; ensuite, France Ruralités "
        "Revitalisation).",
        example="2024-06-30",
    )


class PointLieu(Strict):
    lat: float
    lon: float


class ZoneLieu(Open):
    categorie: str
    categorie_libelle: str
    kind: str
    kind_libelle: str
    profession: str | None
    profession_libelle: str
    libelle: str
    code: str
    partiel: bool
    eligibilites: list[str]
    zonage: dict
    demonstration: bool
    notes: list[str] = Field(
        description="Ce que la réponse ne peut pas dire (zone connue par commune, à vérifier "
        "à l'adresse ; zonage plus récent publié mais pas encore intégré)."
    )


class Lieu(Open):
    date: dt.date = Field(description="Jour pour lequel les zones sont données.")
    commune: CommuneLieu
    arrondissement: CommuneLieu | None
    point: PointLieu | None
    zones: list[ZoneLieu]


def lieu_payload(
    commune: Commune, arrondissement: Commune | None, request=None, point=None, date=None
):
    """The answer for a place; extend it here (zones, aids) so every caller gets the same."""
    precise = arrondissement or commune
    lat, lon = point if point else (None, None)
    date = date or timezone.localdate()
    return {
        "date": date.isoformat(),
        "commune": territoire_json(commune, request),
        "arrondissement": territoire_json(arrondissement, request) if arrondissement else None,
        "point": {"lat": point[0], "lon": point[1]} if point else None,
        "zones": api_zones(zones_at(commune=precise.code, lat=lat, lon=lon, date=date), precise),
    }


def parse_date(params) -> dt.date | None:
    raw = params.get("date", "").strip()
    if not raw:
        return None
    try:
        if not _DATE.match(raw):
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise LieuError(
            f"Paramètre « date » invalide : « {raw[:20]} » n'est pas une date AAAA-MM-JJ "
            "(ex. 2024-06-30)."
        ) from None


def _coordinate(params, name, low, high) -> float:
    raw = params.get(name, "").strip().replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise LieuError(f"Paramètre « {name} » invalide : un nombre décimal est attendu.") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise LieuError(f"Paramètre « {name} » hors limites : entre {low} et {high}.")
    return value


def parse_point(params) -> tuple[float, float] | None:
    has_lat, has_lon = bool(params.get("lat", "").strip()), bool(params.get("lon", "").strip())
    if not has_lat and not has_lon:
        return None
    if has_lat != has_lon:
        raise LieuError("Indiquez à la fois « lat » et « lon » (degrés décimaux, WGS84).")
    return _coordinate(params, "lat", -90, 90), _coordinate(params, "lon", -180, 180)


def commune_by_code(code: str) -> tuple[Commune, Commune | None]:
    """Commune and arrondissement for an INSEE code, a former code or a commune déléguée."""
    code = code.strip().upper()
    if not _INSEE.match(code):
        raise LieuError(f"Code commune « {code[:10]} » invalide : 5 caractères (ex. 75056).")
    resolution = resolve_code(code)
    if resolution.outcome is Outcome.AMBIGUOUS:
        shown = ", ".join(f"{c.nom} ({c.code})" for c in resolution.candidates)
        raise LieuError(f"Le code {code} désigne plusieurs communes : {shown}.")
    found = resolution.commune
    if found is None:
        raise LieuError(f"Aucune commune connue pour le code {code}.", status=404)
    if found.parent_id:
        parent = Commune.objects.with_refs().get(pk=found.parent_id)
        return parent, found
    return found, None


def resolve(params):
    """(commune, arrondissement, point) from the query string, or LieuError."""
    point = parse_point(params)
    code = params.get("commune", "").strip()
    if code:
        commune, arrondissement = commune_by_code(code)
        return commune, arrondissement, point
    if point is None:
        raise LieuError("Indiquez « lat » et « lon », ou « commune » (code INSEE).")
    place = locate_place(*point)
    if place is None:
        raise LieuError(
            f"Aucune commune connue ne contient le point ({point[0]}, {point[1]}) : il n'a pas "
            f"pu être placé, les contours des communes ne sont chargés que pour "
            f"{_regions_with_outlines()}. Indiquez plutôt la commune (paramètre « commune », "
            "code INSEE).",
            status=404,
        )
    return place.commune, place.arrondissement, point


def _regions_with_outlines() -> str:
    """ "Grand Est, Île-de-France": the régions a point can be placed in (one query)."""
    codes = Contour.objects.filter(niveau=Contour.Niveau.COMMUNE).values("code")
    regions = Region.objects.filter(communes__code__in=codes).distinct()
    return ", ".join(sorted(regions.values_list("nom", flat=True))) or "aucune région"


@router.get(
    "/lieu",
    url_name="api_lieu",
    response={200: Lieu, 400: Erreur, 404: Erreur},
    summary="Commune et zones d'un lieu",
    description=(
        "La commune (et l'arrondissement) d'un point ou d'un code INSEE, avec les zones "
        "(zonages ARS par profession, QPV, zones rurales) qui s'y appliquent le jour "
        "demandé (`date`, par défaut aujourd'hui ; la réponse dit lequel). Chaque zone cite "
        "son acte (référence, source, date de l'export) et ses limites (`notes`)."
    ),
    openapi_extra=example("/api/v1/lieu?lat=48.9362&lon=2.3574"),
)
def lieu(request, query: Query[LieuQuery]):
    try:
        date = parse_date(request.GET)
        commune, arrondissement, point = resolve(request.GET)
    except LieuError as problem:
        return error(str(problem), status=problem.status)
    return json_response(lieu_payload(commune, arrondissement, request, point, date))


# --- Référentiel ----------------------------------------------------------------------------


class RegionQuery(Strict):
    region: accepts() = param(
        "Code INSEE de la région (11 Île-de-France, 44 Grand Est).", example="11"
    )


class CommunesQuery(Strict):
    departement: accepts() = param("Code INSEE du département.", example="93")
    region: accepts() = param(
        "Code INSEE de la région (11 Île-de-France, 44 Grand Est).", example="11"
    )


class RegionItem(Strict):
    code: str
    nom: str
    nombre_departements: int


class Regions(Strict):
    licence: Licence
    nombre: int
    results: list[RegionItem]


class RegionDetail(Strict):
    code: str
    nom: str
    population: int | None
    departements: list[Reference]
    bbox: Bbox
    licence: Licence


class DepartementItem(Strict):
    code: str
    nom: str
    region: str


class Departements(Strict):
    licence: Licence
    nombre: int
    results: list[DepartementItem]


class DepartementDetail(Strict):
    code: str
    nom: str
    region: Reference
    population: int | None
    nombre_communes: int
    bbox: Bbox
    licence: Licence


class Communes(Strict):
    licence: Licence
    nombre: int
    results: list[CommuneItem]


def _population(queryset, key):
    rows = Commune.objects.communes().filter(**{f"{key}__in": queryset}).values(key)
    return {r[key]: r["population"] for r in rows.annotate(population=Sum("population"))}


def _bbox(niveau, code):
    contour = Contour.objects.filter(niveau=niveau, code=code).first()
    return list(contour.bbox) if contour else None


def _listing(results: list) -> dict:
    return {"licence": LICENCE, "nombre": len(results), "results": results}


@router.get(
    "/territoires/regions",
    url_name="api_regions",
    response={200: Regions, 400: Erreur},
    summary="Régions",
    description="Les régions du référentiel.",
    openapi_extra=example("/api/v1/territoires/regions"),
)
@decorate_view(known_params())
def regions(request):
    queryset = Region.objects.order_by("code").annotate(nombre_departements=Count("departements"))
    return json_response(
        _listing(
            [
                {"code": r.code, "nom": r.nom, "nombre_departements": r.nombre_departements}
                for r in queryset
            ]
        )
    )


@router.get(
    "/territoires/regions/{str:code}",
    url_name="api_region",
    response={200: RegionDetail, 400: Erreur, 404: Erreur},
    summary="Une région",
    description="Une région, ses départements, sa population municipale.",
    openapi_extra=example("/api/v1/territoires/regions/11"),
)
@decorate_view(known_params())
def region(request, code: str = Path(..., description="Code INSEE de la région.")):
    found = Region.objects.filter(code=code.upper()).first()
    if found is None:
        return not_found("Aucune région ne porte ce code INSEE.")
    departements = list(found.departements.order_by("code"))
    population = _population(Region.objects.filter(pk=found.pk), "region")
    body = {
        "code": found.code,
        "nom": found.nom,
        "population": population.get(found.pk),
        "departements": [_reference(d) for d in departements],
        "bbox": _bbox(Contour.Niveau.REGION, found.code),
        "licence": LICENCE,
    }
    return json_response(body)


@router.get(
    "/territoires/departements",
    url_name="api_departements",
    response={200: Departements, 400: Erreur},
    summary="Départements",
    description="Les départements, éventuellement d'une seule région.",
    openapi_extra=example("/api/v1/territoires/departements?region=44"),
)
@decorate_view(known_params(*RegionQuery.model_fields))
def departements(request, query: Query[RegionQuery]):
    form = RegionForm(request.GET)
    if not form.is_valid():
        return bad_request(first_errors(form))
    queryset = Departement.objects.select_related("region").order_by("code")
    if form.cleaned_data["region"] is not None:
        queryset = queryset.filter(region=form.cleaned_data["region"])
    return json_response(
        _listing([{"code": d.code, "nom": d.nom, "region": d.region.code} for d in queryset])
    )


@router.get(
    "/territoires/departements/{str:code}",
    url_name="api_departement",
    response={200: DepartementDetail, 400: Erreur, 404: Erreur},
    summary="Un département",
    description="Un département, sa région, sa population, son nombre de communes.",
    openapi_extra=example("/api/v1/territoires/departements/93"),
)
@decorate_view(known_params())
def departement(request, code: str = Path(..., description="Code INSEE du département.")):
    found = Departement.objects.select_related("region").filter(code=code.upper()).first()
    if found is None:
        return not_found("Aucun département ne porte ce code INSEE.")
    population = _population(Departement.objects.filter(pk=found.pk), "departement")
    body = {
        "code": found.code,
        "nom": found.nom,
        "region": _reference(found.region),
        "population": population.get(found.pk),
        "nombre_communes": found.communes.filter(type=Commune.Type.COMMUNE).count(),
        "bbox": _bbox(Contour.Niveau.DEPARTEMENT, found.code),
        "licence": LICENCE,
    }
    return json_response(body)


@router.get(
    "/territoires/communes",
    url_name="api_communes",
    response={200: Communes, 400: Erreur},
    summary="Communes",
    description=(
        "Les communes (et arrondissements municipaux) d'un département ou d'une "
        "région : l'un des deux paramètres est obligatoire."
    ),
    openapi_extra=example("/api/v1/territoires/communes?departement=75"),
)
@decorate_view(known_params(*CommunesQuery.model_fields))
def communes(request, query: Query[CommunesQuery]):
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
    return json_response(_listing([_commune_item(c) for c in queryset]))


@router.get(
    "/territoires/communes/{str:code}",
    url_name="api_commune",
    response={200: CommuneDetail, 400: Erreur, 404: Erreur},
    summary="Une commune",
    description="Une commune ou un arrondissement municipal.",
    openapi_extra=example("/api/v1/territoires/communes/77379"),
)
@decorate_view(known_params())
def commune(request, code: str = Path(..., description="Code INSEE de la commune.")):
    found = Commune.objects.with_refs().filter(code=code.upper()).first()
    if found is None:
        return not_found("Aucune commune ne porte ce code INSEE.")
    body = {
        **_commune_item(found),
        "epci": _epci(found),
        "bbox": _bbox(Contour.Niveau.COMMUNE, found.code),
        "licence": LICENCE,
    }
    return json_response(body)
