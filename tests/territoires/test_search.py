"""Commune autocomplete on the real COG of Île-de-France and Grand Est."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("territoires:recherche")


def codes(client, query):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [item["code"] for item in response.json()]


@pytest.mark.parametrize(
    "query", ["saint denis", "Saint-Denis", "ST DENIS", "st-denis", "sáint dénis"]
)
def test_saint_denis_whatever_the_spelling(client, query):
    found = codes(client, query)
    assert found[0] == "93066"
    # then the other communes named "Saint-Denis-…", by prefix
    assert found[1] == "77406"  # Saint-Denis-lès-Rebais


def test_postal_code_finds_the_largest_commune_first(client):
    found = codes(client, "77160")
    assert found[0] == "77379"  # Provins
    assert set(found) >= {"77073", "77368", "77532"}  # the other communes of 77160


def test_insee_code_and_code_prefix(client):
    assert codes(client, "93066")[0] == "93066"
    items = client.get(URL, {"q": "751"}).json()
    assert len(items) == 20  # 20 arrondissements (75101…) and Paris (postal code 75116)
    assert all(
        any(code.startswith("751") for code in [item["code"], *item["codes_postaux"]])
        for item in items
    )


def test_accents_and_hyphens_are_ignored(client):
    assert codes(client, "evry courcouronnes")[0] == "91228"
    assert codes(client, "ÉVRY-COURCOURONNES")[0] == "91228"
    assert codes(client, "chalons en champagne")[0] == "51108"


def test_prefix_ranks_after_exact_then_by_population(client):
    items = client.get(URL, {"q": "paris"}).json()
    assert items[0]["code"] == "75056"
    arrondissements = items[1:]
    assert len(arrondissements) == 19  # 20 at most in all
    populations = [item["population"] for item in arrondissements]
    assert populations == sorted(populations, reverse=True)
    assert arrondissements[0]["code"] == "75115"  # the most populous arrondissement


def test_former_commune_finds_its_current_commune(client):
    response = client.get(URL, {"q": "Pierrefitte-sur-Seine"})
    first = response.json()[0]
    assert first["code"] == "93066"
    assert first["alias"]["nom"] == "Pierrefitte-sur-Seine"


def test_answer_is_capped_and_describes_each_commune(client):
    items = client.get(URL, {"q": "saint"}).json()
    assert len(items) == 20
    provins = client.get(URL, {"q": "provins"}).json()[0]
    assert provins == {
        "code": "77379",
        "nom": "Provins",
        "type": "commune",
        "departement": {"code": "77", "nom": "Seine-et-Marne"},
        "codes_postaux": ["77160"],
        "population": provins["population"],
        "url": "/territoires/communes/77379/",
        "alias": None,
    }


@pytest.mark.parametrize(
    "query", ["", "   ", "%", "_", "'; DROP TABLE", "-", "zzzzqqq", "x" * 5000, "\\x00", "0"]
)
def test_empty_or_garbage_query_gives_an_empty_list(client, query):
    assert codes(client, query) == []


def test_missing_or_repeated_parameter(client):
    assert client.get(URL).json() == []
    assert client.get(URL + "?q=provins&q=paris").status_code == 200


def test_query_count_is_constant(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(URL, {"q": "saint"})
