"""The read-only open-data API under /api/v1/: django-ninja, one router per owner.

structures.api (structures, statistics), territoires.api (référentiel, lieu) and aides.api
(aids) write the answers; this module assembles them, serves the OpenAPI description
generated from their schemas (/api/v1/openapi.json, also the source of /donnees/api/ and of
the contract tests) and turns ninja's own errors into the French answers of
portal.lib.responses: a parameter ninja refuses is a 400, never its English 422.
Licence link, ETag and caching headers come from `portal.opendata.OpenDataMiddleware`.
"""

import copy
import json
from functools import cache

from django.http import Http404
from django.urls import URLPattern, reverse
from ninja import NinjaAPI, Router
from ninja.decorators import decorate_view
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import Swagger

from aides.api import router as aides_router
from portal.lib.opendata import LICENCE
from portal.lib.responses import bad_request, error, json_response, known_params, not_found
from portal.lib.schemas import MEDIA_MARK, Erreur, example
from structures.api import router as structures_router
from territoires.api import router as territoires_router

ROOT = "/api/v1/"
STATUS_TEXTS = {
    200: "Succès.",
    400: "Paramètre invalide (message en français).",
    404: "Objet inconnu (message en français).",
}
# What ninja's validation errors mean, in French, by pydantic error type.
VALIDATION_MESSAGES = {
    "missing": "Paramètre obligatoire.",
    "int_parsing": "Nombre entier attendu.",
    "float_parsing": "Nombre décimal attendu.",
    "string_type": "Une seule valeur attendue.",
}


class LocalSwagger(Swagger):
    """Swagger UI from ninja's own static files (no CDN), reading our description."""

    template = "portal/api_console.html"

    def get_openapi_url(self, api, path_params):
        return reverse("portal:api_openapi")


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(
            path_prefix=ROOT if path_prefix is None else path_prefix, path_params=path_params
        )
        for item in schema["paths"].values():
            for operation in item.values():
                _frenchify(operation)
        return schema


def _frenchify(operation: dict) -> None:
    """French status texts; GeoJSON answers said as such (ninja knows one media type);
    statuses as the JSON text has them ("200": ninja keeps ints)."""
    media = operation.pop(MEDIA_MARK, None)
    responses = {}
    for status, response in operation["responses"].items():
        response["description"] = STATUS_TEXTS.get(int(status), response["description"])
        if media and int(status) == 200:
            response["content"] = {media: response["content"].popitem()[1]}
        responses[str(status)] = response
    operation["responses"] = responses


api = PortalAPI(
    title="API des données ouvertes — Portail de l'accès aux soins",
    version="1.0.0",
    description=(
        "API en lecture seule des aides contre les déserts médicaux, des structures "
        "soutenues, des statistiques du bilan et du référentiel territorial. Réponses en "
        "JSON (UTF-8), en-têtes ETag et Last-Modified pour la mise en cache, erreurs en "
        "français (400 : paramètre invalide ; 404 : objet inconnu)."
    ),
    openapi_extra={"info": {"license": {"name": LICENCE["nom"], "url": LICENCE["url"]}}},
    servers=[{"url": "/"}],
    urls_namespace="portal",
    # The description is an operation of its own (`description` below); the interactive
    # documentation is served by portal.urls under /donnees/api/.
    openapi_url=None,
    docs=LocalSwagger(settings={"validatorUrl": None}),
)


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    details = {}
    for problem in exc.errors:
        name = str(problem["loc"][-1])[:40]
        message = VALIDATION_MESSAGES.get(problem["type"], "Valeur invalide.")
        details.setdefault(name, []).append(message)
    return bad_request(details)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return error("Requête invalide." if exc.status_code == 400 else str(exc), exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return not_found("Aucun objet à cette adresse.")


@api.exception_handler(Exception)
def _unexpected(request, exc):
    """Django's own handling (the 500 page, portal.health's 503), DEBUG or not."""
    raise exc


description_router = Router(tags=["Description"])


@description_router.get(
    "/openapi.json",
    url_name="api_openapi",
    response={200: dict, 400: Erreur},
    summary="Cette description",
    description="La description OpenAPI 3.1 de l'API.",
    openapi_extra=example("/api/v1/openapi.json"),
)
@decorate_view(known_params())
def openapi(request):
    return json_response(description())


api.add_router("", structures_router)
api.add_router("", aides_router)
api.add_router("", territoires_router)
api.add_router("", description_router)


def description() -> dict:
    """The OpenAPI 3.1 description of /api/v1/, generated from the routers' schemas."""
    return copy.deepcopy(_generated())


@cache
def _generated() -> dict:
    """Generated once per process (≈ 30 ms): the routes and schemas are fixed at import.
    As plain JSON data (ninja's is a dict holding the API itself)."""
    return json.loads(json.dumps(api.get_openapi_schema()))


def urlpatterns() -> list:
    """The API's routes, without ninja's root view (a 404 that describes nothing).

    ninja marks its views csrf_exempt (it checks CSRF itself, only for cookie authentication);
    the portal keeps Django's check on every view, so a POST without token is a 403 here too.
    """
    patterns, _app, _namespace = api.urls
    return [_csrf_checked(pattern) for pattern in patterns if pattern.name != "api-root"]


def _csrf_checked(pattern):
    view = pattern.callback

    def checked(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    checked.csrf_exempt = False
    return URLPattern(pattern.pattern, checked, pattern.default_args, pattern.name)


def docs(request):
    """Swagger UI on the generated description, from ninja's static files."""
    return api.docs.render_page(request, api)


def endpoints() -> list[dict]:
    """The operations for the documentation page, in the description's order."""
    result = []
    for path, item in _generated()["paths"].items():
        get = item["get"]
        result.append(
            {
                "path": path,
                "summary": get["summary"],
                "description": get.get("description", ""),
                "parameters": [
                    {
                        "name": p["name"],
                        "where": "chemin" if p["in"] == "path" else "requête",
                        "required": p["required"],
                        "description": p.get("description", ""),
                        "values": _values(p["schema"]),
                    }
                    for p in get["parameters"]
                ],
                "example": get.get("x-exemple", ""),
                "id": path.strip("/").replace("/", "-").replace("{", "").replace("}", ""),
            }
        )
    return result


def _values(schema: dict) -> list:
    return schema.get("enum") or schema.get("items", {}).get("enum", [])
