"""The /api/v1/ answers validate against the API's own OpenAPI description (openapi-core)."""

import json

import pytest
from django.urls import get_resolver
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from portal.openapi import DESCRIPTION
from structures.models import Structure

pytestmark = pytest.mark.usefixtures("demo_db")


@pytest.fixture(scope="module")
def openapi():
    # from_dict validates the description itself against the OpenAPI 3.1 specification.
    # GeoJSON is JSON: read it as such.
    config = Config(extra_media_type_deserializers={"application/geo+json": json.loads})
    return OpenAPI.from_dict(DESCRIPTION, config=config)


def check(openapi, response):
    """The response matches the description of its path, method and status."""
    openapi.validate_response(
        DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
    )
    return response


def api_routes(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if hasattr(entry, "url_patterns"):
            yield from api_routes(entry.url_patterns, route)
        elif route.startswith("api/v1/"):
            yield route


def test_every_api_endpoint_is_described():
    described = set(DESCRIPTION["paths"])
    routed = {
        "/" + route.replace("<int:id>", "{id}").replace("<str:code>", "{code}")
        for route in api_routes()
    }
    assert routed == described


def test_the_description_is_served(client, openapi):
    response = check(openapi, client.get("/api/v1/openapi.json"))
    assert response.json()["openapi"] == "3.1.0"
    assert response.json()["info"]["license"]["name"].startswith("Licence Ouverte")


def test_documented_examples_answer_as_described(client, openapi):
    """Every example of the documentation page (and of the description) works."""
    examples = [op["get"]["x-exemple"] for op in DESCRIPTION["paths"].values()]
    for url in filter(None, examples):
        response = client.get(url)
        assert response.status_code == 200, url
        check(openapi, response)


def test_structures_geojson_and_detail(client, openapi):
    collection = check(openapi, client.get("/api/v1/structures?region=11")).json()
    assert collection["type"] == "FeatureCollection"
    assert collection["nombre"] == len(collection["features"]) == 281
    located = [f for f in collection["features"] if f["geometry"]]
    assert len(located) == 279  # the two region-wide networks have no point
    lon, lat = located[0]["geometry"]["coordinates"]
    assert 1.4 < lon < 3.6 and 48.1 < lat < 49.3
    assert all(len(str(c).split(".")[-1]) <= 4 for c in (lon, lat))
    one = located[0]["id"]
    detail = check(openapi, client.get(f"/api/v1/structures/{one}")).json()
    assert detail["properties"]["nom"] == located[0]["properties"]["nom"]


def test_structure_filters(client, openapi):
    msp_93 = check(openapi, client.get("/api/v1/structures?departement=93&type=msp")).json()
    expected = Structure.objects.published().filter(departement__code="93", type="msp").count()
    assert msp_93["nombre"] == expected > 0
    assert {f["properties"]["type"] for f in msp_93["features"]} == {"msp"}
    in_qpv = client.get("/api/v1/structures?region=11&qpv=oui").json()
    assert all(f["properties"]["en_qpv"] for f in in_qpv["features"])
    assert in_qpv["nombre"] == Structure.objects.published().in_regions(["11"]).en_qpv().count()


def test_unpublished_structure_is_a_404(client, openapi):
    structure = Structure.objects.published().first()
    structure.publication = "brouillon"
    structure.save()
    response = check(openapi, client.get(f"/api/v1/structures/{structure.pk}"))
    assert response.status_code == 404
    assert "Aucune structure publiée" in response.json()["erreur"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/structures?departement=999",
        "/api/v1/structures?type=hopital",
        "/api/v1/structures?annee_min=deux-mille",
        "/api/v1/structures?annee_min=2024&annee_max=2020",
        "/api/v1/structures?qpv=peut-etre",
        "/api/v1/statistiques?region=%00",
        "/api/v1/territoires/departements?region=00",
        "/api/v1/territoires/communes",
        "/api/v1/territoires/communes?departement=9999",
        "/api/v1/structures?departemnt=93",  # a typo must not return every structure
        "/api/v1/territoires/regions?page=2",
    ],
)
def test_bad_parameters_are_french_400s(client, openapi, url):
    response = check(openapi, client.get(url))
    assert response.status_code == 400
    body = response.json()
    assert body["erreur"].startswith("Paramètres invalides")
    assert body["details"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/territoires/regions/99",
        "/api/v1/territoires/departements/999",
        "/api/v1/territoires/communes/00000",
        "/api/v1/structures/999999999",
    ],
)
def test_unknown_objects_are_french_404s(client, openapi, url):
    response = check(openapi, client.get(url))
    assert response.status_code == 404
    assert response.json()["erreur"].startswith("Aucun")


def test_territories(client, openapi):
    regions = check(openapi, client.get("/api/v1/territoires/regions")).json()
    assert {r["code"]: r["nombre_departements"] for r in regions["results"]} == {"11": 8, "44": 10}
    paris = check(openapi, client.get("/api/v1/territoires/communes?departement=75")).json()
    codes = {c["code"] for c in paris["results"]}
    assert "75056" in codes and "75120" in codes and len(codes) == 21
    provins = check(openapi, client.get("/api/v1/territoires/communes/77379")).json()
    assert provins["nom"] == "Provins" and "77160" in provins["codes_postaux"]
    bas_rhin = check(openapi, client.get("/api/v1/territoires/communes?departement=67")).json()
    assert "67482" in {c["code"] for c in bas_rhin["results"]}  # Strasbourg
    seine_saint_denis = check(openapi, client.get("/api/v1/territoires/departements/93")).json()
    assert seine_saint_denis["region"]["code"] == "11"
    assert seine_saint_denis["population"] > 1_500_000


def test_other_apps_endpoints_match_the_description(client, openapi):
    """/api/v1/aides and /api/v1/lieu belong to other apps; their answers keep this contract."""
    for url in (
        "/api/v1/aides?commune=93066&profession=medecin-generaliste",
        "/api/v1/aides?profession=plombier",
        "/api/v1/lieu?commune=77379",
        "/api/v1/lieu?lat=abc&lon=2",
        "/api/v1/lieu?lat=43.3&lon=5.4",  # Marseille: outside every loaded contour
    ):
        check(openapi, client.get(url))


def test_caching_headers_and_licence(client):
    first = client.get("/api/v1/structures?departement=93")
    assert 'rel="license"' in first["Link"] and "etalab" in first["Link"]
    assert first["ETag"] and first["Last-Modified"]
    assert "max-age=300" in first["Cache-Control"]
    assert first.json()["licence"]["nom"] == "Licence Ouverte / Open Licence version 2.0"
    again = client.get("/api/v1/structures?departement=93", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(
        "/api/v1/structures?departement=93", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert since.status_code == 304
    # A change to a structure changes both validators.
    structure = Structure.objects.published().filter(departement__code="93").first()
    structure.nom = "Maison de santé renommée"
    structure.save()
    changed = client.get("/api/v1/structures?departement=93", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    errors = client.get("/api/v1/structures?departement=999")
    assert errors.status_code == 400 and "ETag" not in errors


def test_structures_list_query_count_does_not_grow(client, django_assert_num_queries):
    # Last-Modified (1) + département validation (1) + structures, aids, professionals (3)
    # + the date of the body (1); without a filter, one less.
    with django_assert_num_queries(6):
        small = client.get("/api/v1/structures?departement=93").json()["nombre"]
    with django_assert_num_queries(5):
        big = client.get("/api/v1/structures").json()["nombre"]
    assert big > 5 * small
