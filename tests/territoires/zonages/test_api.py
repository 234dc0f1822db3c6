"""The `zones` key of GET /api/v1/lieu."""

import pytest
from django.urls import reverse
from shapely.geometry import shape

from territoires.importers.contours import read_features
from territoires.importers.qpv import import_qpv, qpv_spec
from territoires.models import Region, Zone
from tests.factories import ActeFactory

from .conftest import QPV_FILE, needs_contours, needs_qpv

pytestmark = pytest.mark.django_db
URL = reverse("portal:api_lieu")


def test_zones_of_a_commune_with_their_act(client):
    ActeFactory(zones={"zip": ["77379"]}, titre="Arrêté ARS du 31 mars 2022", demonstration=True)
    data = client.get(URL, {"commune": "77379"}).json()
    assert data["zones"] == [
        {
            "categorie": "zip",
            "categorie_libelle": "ZIP",
            "kind": "ars",
            "kind_libelle": "",
            "profession": "medecin-generaliste",
            "profession_libelle": "Médecin généraliste",
            "libelle": "ZIP",
            "code": "",
            "partiel": False,
            "eligibilites": ["aides-conventionnelles"],
            "a_verifier": False,
            "zonage": {
                "titre": "Arrêté ARS du 31 mars 2022",
                "editeur": "ARS Île-de-France",
                "date": "2022-03-31",
                "date_export": None,
                "source": None,
                "reference": "arrêté ARS Île-de-France du 31 mars 2022",
                "revision_publiee": None,
                "url": "https://example.test/acte",
            },
            "demonstration": True,
            "notes": [],
        }
    ]


def test_a_commune_without_zone_has_an_empty_list(client):
    assert client.get(URL, {"commune": "91001"}).json()["zones"] == []


@needs_qpv
@needs_contours
def test_a_point_in_a_qpv_gives_its_code_and_the_commune_zones(client):
    import_qpv(read_features(QPV_FILE), qpv_spec(Region.objects.get(code="11")))
    ActeFactory(zones={"zac": ["75056"]})
    inside = shape(Zone.objects.get(code="QN07501M").geometrie).representative_point()
    data = client.get(URL, {"lat": f"{inside.y:.6f}", "lon": f"{inside.x:.6f}"}).json()
    assert data["arrondissement"]["code"] == "75113"
    assert [(z["kind"], z["code"], z["partiel"]) for z in data["zones"]] == [
        ("ars", "", False),
        ("qpv", "QN07501M", False),
    ]
    assert data["zones"][1]["zonage"]["url"].startswith("https://www.data.gouv.fr/")
    assert data["zones"][1]["demonstration"] is False
