"""Statistical secret: no aggregate of fewer than 3 professionals, nor a difference, reveals them.

The attack: one chirurgien-dentiste in Charleville-Mézières at 12 345 € was hidden in the
commune CSV but shown as "1 / 12 345" by the bilan, its CSVs and the statistics API.
"""

import csv
import io
from decimal import Decimal

import pytest

from structures.models import ProfessionnelSoutenu
from territoires.models import Commune, Departement

pytestmark = pytest.mark.usefixtures("demo_db")

LONE_AMOUNT = 12_345
SECRET_LABEL = "secret statistique"
# The bilan's CSVs where the dentist is a cell of their own (profession, year 2024).
BILAN_CSVS = ["professionnels-par-profession", "par-annee"]


@pytest.fixture
def dentiste():
    """The only chirurgien-dentiste of the portal, in Charleville-Mézières (08105)."""
    commune = Commune.objects.get(code="08105")
    return ProfessionnelSoutenu.objects.create(
        profession="chirurgien-dentiste",
        commune=commune,
        region=commune.region,
        montant=Decimal(LONE_AMOUNT),
        annee=2024,
        publication="publiee",
    )


def rows_of(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def numbers(text: str) -> set[str]:
    return {text, f"{LONE_AMOUNT:,}".replace(",", "\u202f"), f"{LONE_AMOUNT:,}".replace(",", " ")}


def test_lone_professional_is_hidden_on_the_bilan_page(client, dentiste):
    html = client.get("/bilan/?region=44").content.decode()
    assert '<th scope="row">Chirurgien-dentiste</th><td>1</td>' not in html
    assert '<th scope="row">Chirurgien-dentiste</th><td>secret statistique</td>' in html
    for shown in numbers(str(LONE_AMOUNT)):
        assert shown not in html
    assert "secret statistique" in html and "moins de 3 professionnels" in html


@pytest.mark.parametrize("slug", BILAN_CSVS)
def test_lone_professional_is_hidden_in_each_bilan_csv(client, dentiste, slug):
    rows = rows_of(client.get(f"/bilan/{slug}.csv?region=44"))
    flat = [cell for row in rows for cell in row]
    assert str(LONE_AMOUNT) not in flat
    if slug == "professionnels-par-profession":
        line = next(row for row in rows if row[0] == "Chirurgien-dentiste")
        assert line[1:] == [SECRET_LABEL, SECRET_LABEL]


def test_lone_professional_is_hidden_by_the_api(client, dentiste):
    data = client.get("/api/v1/statistiques?region=44").json()
    assert data["professionnels"]["par_profession"]["Chirurgien-dentiste"] is None
    assert data["secret_statistique"]["seuil"] == 3
    assert data["secret_statistique"]["cellules_masquees"] > 0
    everything = client.get("/api/v1/statistiques").json()
    assert everything["professionnels"]["par_profession"]["Chirurgien-dentiste"] is None


def test_lone_professional_is_hidden_in_the_open_data(client, dentiste):
    rows = list(csv.DictReader(io.StringIO(
        client.get("/donnees/professionnels-par-commune.csv").content.decode("utf-8-sig")
    )))  # fmt: skip
    line = next(
        r for r in rows if (r["commune_code"], r["profession"]) == ("08105", "chirurgien-dentiste")
    )
    assert line["nombre"] == "" and line["montant"] == ""
    assert all(r["nombre"] == "" or int(r["nombre"]) >= 3 for r in rows)


def _difference_is_protected(total, cells, lone):
    """Total minus the visible cells is either unknown or covers 2+ hidden cells, not `lone`."""
    if total is None:
        return True
    hidden = [c for c in cells if c is None]
    if not hidden:
        return True
    rest = total - sum(c for c in cells if c is not None)
    return len(hidden) >= 2 and rest != lone


def test_difference_between_a_total_and_the_visible_cells_hides_the_dentist(client, dentiste):
    for region in ("44", ""):
        data = client.get(f"/api/v1/statistiques?region={region}").json()
        pros = data["professionnels"]
        assert pros["par_profession"]["Chirurgien-dentiste"] is None
        professions = list(pros["par_profession"].values())
        assert _difference_is_protected(pros["total"], professions, 1)
        montants = [data["montant_total"], data["structures"]["montant"]]
        assert None in montants or montants[0] - montants[1] != LONE_AMOUNT
    rows = rows_of(client.get("/bilan/professionnels-par-profession.csv?region=44"))
    *lines, total = rows[1:]
    counts = [None if r[1] == SECRET_LABEL else int(r[1]) for r in lines]
    amounts = [None if r[2] == SECRET_LABEL else int(r[2]) for r in lines]
    assert _difference_is_protected(int(total[1]), counts, 1)
    assert _difference_is_protected(int(total[2]), amounts, LONE_AMOUNT)
    # By département (the Ardennes count 39 with the interns): no lone hidden cell either.
    rows = rows_of(client.get("/bilan/par-departement.csv?region=44"))
    *lines, total = rows[1:]
    cells = [None if r[3] == SECRET_LABEL else int(r[3]) for r in lines]
    assert _difference_is_protected(int(total[3]), cells, None)


@pytest.fixture
def lone_departement():
    """A Grand Est département without any supported professional, then one sage-femme."""
    with_pros = ProfessionnelSoutenu.objects.published().values("departement")
    departement = (
        Departement.objects.filter(region__code="44").exclude(pk__in=with_pros).order_by("code")
    ).first()
    commune = Commune.objects.communes().filter(departement=departement).first()
    ProfessionnelSoutenu.objects.create(
        profession="sage-femme", commune=commune, region=commune.region,
        montant=Decimal(LONE_AMOUNT), annee=2024, publication="publiee",
    )  # fmt: skip
    return departement


def test_departement_page_hides_the_lone_professional(client, lone_departement):
    html = client.get(f"/territoires/departements/{lone_departement.code}/").content.decode()
    assert "professionnel soutenu" not in html
    assert f"{SECRET_LABEL}</span> professionnels soutenus" in html
    for shown in numbers(str(LONE_AMOUNT)):
        assert shown not in html
    rows = rows_of(client.get("/bilan/par-departement.csv?region=44"))
    line = next(r for r in rows if r[1] == lone_departement.code)
    assert line[3:5] == [SECRET_LABEL, SECRET_LABEL]
    *lines, total = rows[1:]
    cells = [None if r[3] == SECRET_LABEL else int(r[3]) for r in lines]
    assert _difference_is_protected(int(total[3]), cells, 1)


def test_the_rule_is_said_on_the_data_pages_and_the_api_description(client):
    assert "moins de 3 professionnels" in client.get("/donnees/").content.decode()
    assert "moins de 3 professionnels" in client.get("/bilan/").content.decode()
    description = client.get("/api/v1/openapi.json").json()
    text = description["paths"]["/api/v1/statistiques"]["get"]["description"]
    assert "secret statistique" in text and "null" in text
