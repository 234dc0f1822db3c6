"""Open data downloads: contents, licence, caching headers, French 400s, formula-safe CSV."""

import csv
import io

import pytest

from aides.models import Aide
from aides.opendata import AIDE_COLUMNS
from structures.models import Structure
from structures.opendata import STRUCTURE_COLUMNS

pytestmark = pytest.mark.usefixtures("demo_db")


def rows_of(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_open_data_page_lists_working_downloads(client):
    response = client.get("/donnees/")
    html = response.content.decode()
    assert "Licence Ouverte / Open Licence version 2.0" in html
    for url in (
        "/donnees/structures.csv", "/donnees/structures.geojson",
        "/donnees/professionnels-par-commune.csv", "/donnees/aides.csv", "/donnees/aides.json",
        "/donnees/api/", "/api/v1/openapi.json", "/api/v1/statistiques",
    ):  # fmt: skip
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200, url
    # An HTML page is not a shared-cacheable download.
    assert "public" not in response.get("Cache-Control", "")


def test_structures_csv_follows_the_map_filters(client):
    everything = rows_of(client.get("/donnees/structures.csv"))
    assert everything[0] == STRUCTURE_COLUMNS
    assert len(everything) - 1 == Structure.objects.published().count()
    only_93 = rows_of(client.get("/donnees/structures.csv?departement=93&type=msp"))
    expected = Structure.objects.published().filter(departement__code="93", type="msp")
    assert len(only_93) - 1 == expected.count()
    column = STRUCTURE_COLUMNS.index("departement")
    assert {row[column] for row in only_93[1:]} == {"93"}


def test_csv_cells_cannot_run_as_formulas(client):
    structure = Structure.objects.published().filter(departement__code="93").first()
    structure.nom = '=HYPERLINK("http://example.org","clic")'
    structure.save()
    rows = rows_of(client.get("/donnees/structures.csv?departement=93"))
    names = [row[STRUCTURE_COLUMNS.index("nom")] for row in rows[1:]]
    assert '\'=HYPERLINK("http://example.org","clic")' in names


def test_geojson_download(client):
    response = client.get("/donnees/structures.geojson?region=44")
    assert response["Content-Type"] == "application/geo+json"
    assert "attachment" in response["Content-Disposition"]
    data = response.json()
    assert [f["properties"]["nom"] for f in data["features"]] == [
        "Pôle multiservices de Mars-la-Tour"
    ]
    assert data["licence"]["url"].startswith("https://www.etalab.gouv.fr/")


def test_aid_catalogue_has_published_aids_only(client):
    draft = Aide.objects.published().first()
    draft.statut = "brouillon"
    draft.save()
    data = client.get("/donnees/aides.json").json()
    slugs = {a["slug"] for a in data["results"]}
    assert draft.slug not in slugs
    assert slugs == set(Aide.objects.published().values_list("slug", flat=True))
    rows = rows_of(client.get("/donnees/aides.csv"))
    assert rows[0] == AIDE_COLUMNS
    assert len(rows) - 1 == len(slugs)


@pytest.mark.parametrize(
    "url",
    [
        "/donnees/structures.csv?departement=999",
        "/donnees/structures.geojson?annee_min=hier",
        "/donnees/structures.csv?type=hopital&qpv=peut-etre",
    ],
)
def test_bad_download_parameters_are_a_french_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("Paramètres invalides")


def test_downloads_carry_licence_and_validators(client):
    first = client.get("/donnees/professionnels-par-commune.csv")
    assert 'rel="license"' in first["Link"]
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/donnees/professionnels-par-commune.csv", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    aides = client.get("/donnees/aides.json")
    assert aides.json()["licence"]["nom"].startswith("Licence Ouverte")
    assert client.get("/donnees/aides.json", HTTP_IF_NONE_MATCH=aides["ETag"]).status_code == 304
