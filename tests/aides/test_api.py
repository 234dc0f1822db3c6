"""GET /api/v1/aides: the finder's search as JSON."""

import pytest

from tests.factories import AideFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/aides"


@pytest.fixture
def aides(zip_saint_denis):
    AideFactory(
        slug="aide-zip",
        nom="Aide aux médecins en ZIP",
        professions=["medecin-generaliste"],
        conditions=[("medecin-generaliste", "zip")],
        financeurs=["assurance-maladie"],
        montant_max=10000,
        nature_montant="forfait",
    )
    AideFactory(slug="aide-brouillon", statut="brouillon")


def test_answer_shape(client, aides):
    response = client.get(URL, {"commune": "93066", "profession": "medecin-generaliste",
                                "etape": "installation"})  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["count"] == 1
    assert body["lieu"]["commune"] == {"code": "93066", "nom": "Saint-Denis"}
    (result,) = body["results"]
    assert result["slug"] == "aide-zip"
    assert result["nom"] == "Aide aux médecins en ZIP"
    assert result["financeurs"] == ["assurance-maladie"]
    assert result["montant"] == "10\u202f000\u00a0€"
    assert result["pourquoi"] == ["ZIP — arrêté ARS Île-de-France du 31 mars 2022"]
    assert result["url"] == "http://testserver/aides/aide-zip/"


def test_point_search(client, aides):
    # A point in Saint-Denis (near the basilica).
    body = client.get(URL, {"lat": "48.9356", "lon": "2.3596"}).json()
    assert body["lieu"]["commune"]["code"] == "93066"
    assert [r["slug"] for r in body["results"]] == ["aide-zip"]


def test_drafts_are_never_listed(client, aides):
    slugs = [r["slug"] for r in client.get(URL).json()["results"]]
    assert "aide-brouillon" not in slugs


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"commune": "99999"}, "commune"),
        ({"profession": "plombier"}, "profession"),
        ({"lat": "91", "lon": "2"}, "lat"),
        ({"lat": "48.9"}, "__all__"),
        ({"date": "demain"}, "date"),
        ({"inconnu": "1"}, "inconnu"),
    ],
)
def test_bad_parameters_give_a_400_in_french(client, aides, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["erreur"].startswith("Paramètres invalides")
    assert field in body["details"]


def test_post_is_refused(client, aides):
    assert client.post(URL).status_code == 405
