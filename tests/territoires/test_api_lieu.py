"""GET /api/v1/lieu: a place by coordinates or INSEE code; French errors as JSON."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("portal:api_lieu")
needs_contours = pytest.mark.skipif(
    not settings.GEO_DATA_DIR.is_dir(), reason="PORTAL_GEO_DATA_DIR absent (contours)"
)


@needs_contours
def test_point_in_paris_gives_commune_and_arrondissement(client):
    response = client.get(URL, {"lat": "48.85296", "lon": "2.34990"})
    assert response.status_code == 200
    data = response.json()
    assert data["commune"]["code"] == "75056"
    assert data["commune"]["departement"] == {"code": "75", "nom": "Paris"}
    assert data["commune"]["region"] == {"code": "11", "nom": "Île-de-France"}
    assert data["arrondissement"]["code"] == "75104"
    assert data["arrondissement"]["nom"] == "Paris 4e Arrondissement"
    assert data["point"] == {"lat": 48.85296, "lon": 2.3499}


@needs_contours
def test_point_in_a_commune_without_arrondissement(client):
    data = client.get(URL, {"lat": "48,5600", "lon": "3,2990"}).json()  # decimal commas too
    assert data["commune"]["code"] == "77379"
    assert data["commune"]["nom"] == "Provins"
    assert data["commune"]["url"] == "http://testserver/territoires/communes/77379/"
    assert data["arrondissement"] is None


@needs_contours
def test_point_outside_every_contour_is_a_french_404(client):
    response = client.get(URL, {"lat": "46.5", "lon": "-4.0"})
    assert response.status_code == 404
    assert "Aucune commune connue ne contient le point" in response.json()["erreur"]


def test_by_insee_code(client):
    data = client.get(URL, {"commune": "93066"}).json()
    assert data["commune"]["nom"] == "Saint-Denis"
    assert data["commune"]["epci"]["nom"] == "Métropole du Grand Paris"
    assert data["arrondissement"] is None
    assert data["point"] is None


def test_arrondissement_code_gives_its_commune_too(client):
    data = client.get(URL, {"commune": "75104"}).json()
    assert data["commune"]["code"] == "75056"
    assert data["arrondissement"]["code"] == "75104"


def test_former_code_leads_to_the_current_commune(client):
    assert client.get(URL, {"commune": "93059"}).json()["commune"]["code"] == "93066"


def test_unknown_code_is_a_french_404(client):
    response = client.get(URL, {"commune": "13055"})  # Marseille: région not loaded
    assert response.status_code == 404
    assert response.json() == {"erreur": "Aucune commune connue pour le code 13055."}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Indiquez « lat » et « lon », ou « commune »"),
        ({"lat": "48.8"}, "à la fois « lat » et « lon »"),
        ({"lat": "abc", "lon": "2.3"}, "« lat » invalide"),
        ({"lat": "48.8", "lon": "nan"}, "« lon » hors limites"),
        ({"lat": "91", "lon": "2.3"}, "« lat » hors limites"),
        ({"lat": "1e400", "lon": "2.3"}, "« lat » hors limites"),
        ({"commune": "7505"}, "Code commune « 7505 » invalide"),
        ({"commune": "<script>"}, "invalide"),
    ],
)
def test_malformed_input_is_a_french_400(client, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["erreur"]


def test_only_get_is_allowed(client):
    assert client.post(URL, {"commune": "93066"}).status_code == 405


def test_no_query_for_a_code(client, version_known, django_assert_num_queries, monkeypatch):
    # The zones part of the answer is pinned by the zonings' tests.
    monkeypatch.setattr("territoires.api.zones_at", lambda **kwargs: [])
    client.get(URL, {"commune": "93066"})  # the process's copy of communes and territories
    with django_assert_num_queries(0):
        client.get(URL, {"commune": "77379"})
