"""No supported professional is ever shown or exported individually: names, addresses, files."""

import csv
import io
import json
from decimal import Decimal

import pytest

from structures.models import ProfessionnelSoutenu
from structures.opendata import PROFESSIONNELS_COLUMNS, SECRET_THRESHOLD, STRUCTURE_COLUMNS
from territoires.models import Commune, Contour

pytestmark = pytest.mark.usefixtures("demo_db", "no_network_tiles")

SECRETS = ["Dupont Jeanne", "Dupont", "rue des Lilas secrète", "PRO-DUPONT-0001", "12345.67"]
PERSONAL_FIELDS = {"adresse", "adresse_exercice", "reference", "nom_professionnel", "prenom"}


@pytest.fixture
def dupont():
    """A published professional in a small commune of Seine-et-Marne."""
    commune = Commune.objects.get(code="77379")  # Provins
    contour = Contour.objects.get(niveau="commune", code="77379")
    return ProfessionnelSoutenu.objects.create(
        nom="Dupont Jeanne",
        adresse_exercice="3 rue des Lilas secrète",
        reference="PRO-DUPONT-0001",
        profession="sage-femme",
        commune=commune,
        region=commune.region,
        latitude=contour.point_lat,
        longitude=contour.point_lon,
        montant=Decimal("12345.67"),
        annee=2024,
        publication="publiee",
    )


PUBLIC_URLS = [
    "/carte/", "/carte/?mesure=taux", "/carte/77/", "/carte/77/?type=msp", "/bilan/",
    "/bilan/?region=", "/bilan/professionnels-par-profession.csv", "/bilan/par-departement.csv",
    "/bilan/par-annee.csv", "/bilan/montants.csv", "/bilan/qpv-et-zones-rurales.csv",
    "/donnees/", "/donnees/api/", "/donnees/structures.csv", "/donnees/structures.geojson",
    "/donnees/professionnels-par-commune.csv", "/donnees/aides.csv", "/donnees/aides.json",
    "/api/v1/statistiques", "/api/v1/statistiques?region=11", "/api/v1/structures",
    "/api/v1/structures?commune=77379", "/api/v1/lieu?commune=77379",
    "/territoires/departements/77/", "/territoires/communes/77379/",
]  # fmt: skip


def test_no_public_page_or_export_shows_the_professional(client, dupont):
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        for secret in SECRETS:
            assert secret not in body, f"{secret!r} in {url}"


def test_the_professional_is_counted_in_the_aggregates(client, dupont):
    before = 129
    data = client.get("/api/v1/statistiques?region=11").json()
    assert data["professionnels"]["total"] == before + 1
    assert data["par_departement"]["77"] == 62
    rows = list(csv.DictReader(io.StringIO(
        client.get("/donnees/professionnels-par-commune.csv").content.decode("utf-8-sig")
    )))  # fmt: skip
    provins = [r for r in rows if r["commune_code"] == "77379" and r["profession"] == "sage-femme"]
    assert len(provins) == 1
    # Below the statistical secret threshold neither the count nor the amount is published.
    hidden = provins[0]["nombre"] == ""
    assert hidden == (provins[0]["montant"] == "")
    assert hidden or int(provins[0]["nombre"]) >= SECRET_THRESHOLD


def test_exports_have_no_personal_field():
    assert not PERSONAL_FIELDS & set(STRUCTURE_COLUMNS)
    assert not PERSONAL_FIELDS & set(PROFESSIONNELS_COLUMNS)
    # The professionals' export is an aggregate: no name, no point, no date of an individual.
    assert not {"nom", "latitude", "longitude", "annee", "date_decision"} & set(
        PROFESSIONNELS_COLUMNS
    )


def test_structures_export_holds_structures_only(client, dupont):
    geojson = json.loads(client.get("/donnees/structures.geojson").content)
    keys = set().union(*(f["properties"] for f in geojson["features"]))
    assert not PERSONAL_FIELDS & keys
    assert keys == set(STRUCTURE_COLUMNS) - {"latitude", "longitude"}
    header = next(csv.reader(io.StringIO(
        client.get("/donnees/structures.csv").content.decode("utf-8-sig")
    )))  # fmt: skip
    assert header == STRUCTURE_COLUMNS
