"""Public JSON API: `GET /api/v1/lieu?lat=…&lon=…` or `?commune=INSEE`.

Stable answer (other apps and outside users rely on the paths and keys):

    {"commune": {"code", "nom", "type", "departement": {"code", "nom"},
                 "region": {"code", "nom"}, "codes_postaux", "population", "epci", "url"},
     "arrondissement": {same keys} | null,   # Paris, Lyon, Marseille
     "point": {"lat", "lon"} | null,
     "zones": [{"categorie", "categorie_libelle", "kind", "kind_libelle", "profession",
                "profession_libelle", "libelle", "code", "partiel", "eligibilites",
                "zonage": {"titre", "editeur", "date", "url"}, "demonstration"}]}
                # zones in force today (territoires.zonages.lookup.zones_at); with a point, QPV
                # polygons count only if they contain it

Errors are `{"erreur": "<message en français>"}` with 400 (malformed input) or 404 (no
known commune there). Later issues add keys (zones, aids) in `lieu_payload`.
"""

import math
import re

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from territoires.locator import locate_place
from territoires.models import Commune, CommuneAlias
from territoires.zonages.display import api_zones
from territoires.zonages.lookup import zones_at

_INSEE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$")
JSON_OPTIONS = {"ensure_ascii": False}


class LieuError(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _reference(obj) -> dict | None:
    return {"code": obj.code, "nom": obj.nom} if obj is not None else None


def territoire_json(commune: Commune, request=None) -> dict:
    url = commune.get_absolute_url()
    epci = commune.epci
    return {
        "code": commune.code,
        "nom": commune.nom,
        "type": commune.type,
        "departement": _reference(commune.departement),
        "region": _reference(commune.region),
        "codes_postaux": commune.liste_codes_postaux,
        "population": commune.population,
        "epci": {"code": epci.code, "nom": epci.nom, "type": epci.type} if epci else None,
        "url": request.build_absolute_uri(url) if request is not None else url,
    }


def lieu_payload(commune: Commune, arrondissement: Commune | None, request=None, point=None):
    """The answer for a place; extend it here (zones, aids) so every caller gets the same."""
    precise = arrondissement or commune
    lat, lon = point if point else (None, None)
    return {
        "commune": territoire_json(commune, request),
        "arrondissement": territoire_json(arrondissement, request) if arrondissement else None,
        "point": {"lat": point[0], "lon": point[1]} if point else None,
        "zones": api_zones(zones_at(commune=precise.code, lat=lat, lon=lon)),
    }


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
    found = Commune.objects.with_refs().filter(code=code).first()
    if found is None:
        alias = CommuneAlias.objects.filter(code=code).order_by("kind").first()
        if alias is not None:
            found = Commune.objects.with_refs().get(pk=alias.commune_id)
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
            f"Aucune commune connue ne contient le point ({point[0]}, {point[1]}) : le portail "
            "couvre les communes de ses régions (Île-de-France, Grand Est).",
            status=404,
        )
    return place.commune, place.arrondissement, point


def json_response(data, status=200):
    response = JsonResponse(data, status=status, safe=False, json_dumps_params=JSON_OPTIONS)
    response["Access-Control-Allow-Origin"] = "*"  # open data, read-only
    return response


@require_GET
def lieu(request):
    try:
        commune, arrondissement, point = resolve(request.GET)
    except LieuError as error:
        return json_response({"erreur": str(error)}, status=error.status)
    return json_response(lieu_payload(commune, arrondissement, request, point))
