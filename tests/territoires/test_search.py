"""Commune autocomplete on the real COG of Île-de-France and Grand Est."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aides.lieux import resolve_commune
from portal.lib import dataversion
from territoires.models import Commune, Departement
from territoires.resolver import Outcome, resolve
from territoires.zonages.forms import AdresseForm

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


def test_query_count_is_constant(client, version_known, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(URL, {"q": "saint"})


# --- One resolver, one ambiguity rule (territoires.resolver) ---------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Saint-Denis (93066)", "93066"),  # as the autocomplete fills it
        ("93200", "93066"),  # postal code
        ("saint denis", "93066"),
        ("10340", "10340"),  # Saint-Germain's INSEE code, and the postal code of 6 others
        ("75001", "75101"),  # the arrondissement, not Paris nor Alfortville's former code
        ("Pierrefitte-sur-Seine", "93066"),  # a former commune, as a last resort
        ("93059", "93066"),  # its former code
    ],
)
def test_one_commune_is_found(text, code):
    resolution = resolve(text)
    assert resolution.outcome is Outcome.FOUND
    assert resolution.commune.code == code


@pytest.mark.parametrize(
    ("text", "outcome", "candidates"),
    [
        ("77160", Outcome.AMBIGUOUS, ["77379", "77109"]),  # shared postal code, largest first
        ("Saint-Germain", Outcome.AMBIGUOUS, ["10340", "54475"]),
        ("55273", Outcome.AMBIGUOUS, ["55386", "55245"]),  # a former code now in two communes
        ("Provi", Outcome.APPROXIMATE, ["77379"]),  # suggested, never guessed
        ("Atlantide", Outcome.UNKNOWN, []),
        ("Atlantide (99999)", Outcome.UNKNOWN, []),
    ],
)
def test_no_guess_when_several_or_none_match(text, outcome, candidates):
    resolution = resolve(text)
    assert resolution.outcome is outcome and resolution.commune is None
    found = [c.code for c in resolution.candidates]
    assert found[: len(candidates)] == candidates and bool(found) == bool(candidates)
    if text == "77160":
        assert "77159" not in found  # Donnemarie-Dontilly only through the former code 77160


def test_an_insee_code_bare_or_labelled_gives_the_same_answer():
    for code in ("55273", "93059", "10340"):
        bare, labelled = resolve(code), resolve(f"Quelque part ({code})")
        assert (bare.outcome, bare.commune) == (labelled.outcome, labelled.commune)
        assert bare.candidates == labelled.candidates


def test_a_current_insee_code_is_read_from_the_process_copy(django_assert_num_queries):
    """Every `?commune=93066` of the API and the finder: no scan of the postal codes; the
    communes and their territories are the process's copy, read with the first commune of
    a data version (the communes, the départements with their régions, the EPCI)."""
    dataversion.current()
    with django_assert_num_queries(3):
        resolve("77379")
    with django_assert_num_queries(0):
        assert resolve("93066").commune.departement.code == "93"
    with django_assert_num_queries(0):
        found = resolve("93066").commune
    assert (found.nom, found.region.code, found.epci.code) == ("Saint-Denis", "11", "200054781")


def test_a_commune_renamed_is_read_again():
    assert resolve("93066").commune.nom == "Saint-Denis"
    commune = Commune.objects.get(code="93066")
    commune.nom = "Saint-Denis renommée"
    commune.save()  # moves the data version
    assert resolve("93066").commune.nom == "Saint-Denis renommée"


def test_a_departement_renamed_is_read_again():
    assert resolve("93066").commune.departement.nom == "Seine-Saint-Denis"
    departement = Departement.objects.get(code="93")
    departement.nom = "Seine-Saint-Denis renommée"
    departement.save()  # moves the data version: the process reads its territories again
    assert resolve("93066").commune.departement.nom == "Seine-Saint-Denis renommée"
    assert resolve("93066").commune.region.nom == "Île-de-France"


def test_every_caller_applies_the_same_rule(client):
    """The aid finder, the zonages page and the API used to disagree on these three."""
    assert resolve_commune("10340").code == "10340"
    assert AdresseForm({"lieu": "10340"}).is_valid()
    form = AdresseForm({"lieu": "75001"})
    assert form.is_valid() and form.cleaned_data["lieu"].code == "75101"
    assert resolve_commune("75001").code == "75101"
    answer = client.get(reverse("portal:api_lieu"), {"commune": "55273"})
    assert answer.status_code == 400
    assert "plusieurs communes" in answer.json()["erreur"]
    with pytest.raises(ValidationError, match="Plusieurs communes"):
        resolve_commune("55273")
    form = AdresseForm({"lieu": "55273"})
    assert not form.is_valid() and form.has_error("lieu", code="ambigu")
