"""The bilan (page, CSV tables, JSON) shows the Région's published figures on the demo data."""

import csv
import io

import pytest

from structures.choices import Publication
from structures.models import ProfessionnelSoutenu, Structure

pytestmark = pytest.mark.usefixtures("demo_db")

# The Région Île-de-France's published bilan (issue "structures", demo dataset).
BILAN_TYPES = {
    "Cabinet de groupe": 92,
    "Maison de santé pluriprofessionnelle": 96,
    "Centre de santé": 78,
    "Maison médicale de garde": 5,
    "Réseau de santé": 7,
    "Sécurisation de cabinet": 3,
}
BILAN_PROFESSIONS = {
    "Infirmier ou infirmière": 5,
    "Masseur-kinésithérapeute": 20,
    "Médecin généraliste": 82,
    "Sage-femme": 22,
}
BILAN_DEPARTEMENTS = {
    "75": 41, "77": 61, "78": 36, "91": 59, "92": 46, "93": 76, "94": 45, "95": 44,
    "hors_departement": 2,
}  # fmt: skip


def read_csv(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_statistics_api_gives_the_published_bilan_of_ile_de_france(client):
    response = client.get("/api/v1/statistiques?region=11")
    assert response.status_code == 200
    data = response.json()
    assert data["structures"]["total"] == 281
    assert data["structures"]["par_type"] == BILAN_TYPES
    assert data["professionnels"]["total"] == 129
    assert data["professionnels"]["par_profession"] == BILAN_PROFESSIONS
    assert data["par_departement"] == BILAN_DEPARTEMENTS
    assert data["en_qpv"] == 252
    assert data["en_zone_rurale"] == 61  # rural is FRR: 58 communes, all in 77 (structures.demo)
    total = sum(s.montant_accorde or 0 for s in Structure.objects.published().in_regions(["11"]))
    total += sum(p.montant for p in ProfessionnelSoutenu.objects.published().in_regions(["11"]))
    assert data["montant_total"] == total
    assert sum(y["structures"] for y in data["par_annee"]) == 281
    assert data["demonstration"] is True


def test_without_region_the_grand_est_records_are_added(client):
    everything = client.get("/api/v1/statistiques").json()
    idf = client.get("/api/v1/statistiques?region=11").json()
    ge = client.get("/api/v1/statistiques?region=44").json()
    total = idf["structures"]["total"] + ge["structures"]["total"]
    assert everything["structures"]["total"] == total
    assert ge["professionnels"]["total"] == 46  # the 2018 interns' aid
    assert ge["professionnels"]["montant"] == 61_400


def test_only_published_records_are_counted(client):
    structure = Structure.objects.published().in_departements(["93"]).first()
    structure.publication = Publication.BROUILLON
    structure.save()
    data = client.get("/api/v1/statistiques?region=11").json()
    assert data["structures"]["total"] == 280
    assert data["par_departement"]["93"] == 75


@pytest.mark.parametrize("value", ["zz", "99", "11;DROP", "1" * 300])
def test_bad_region_is_a_french_400(client, value):
    response = client.get("/api/v1/statistiques", {"region": value})
    assert response.status_code == 400
    assert "Région inconnue" in response.json()["details"][0]
    page = client.get("/bilan/", {"region": value})
    assert page.status_code == 400
    assert "Région inconnue" in page.content.decode()


def test_bilan_page_shows_the_figures_as_tables_with_charts(client):
    response = client.get("/bilan/")  # the Région's own bilan by default
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bilan des aides — Île-de-France" in html
    for label, count in {**BILAN_TYPES, **BILAN_PROFESSIONS}.items():
        assert f'<th scope="row">{label}</th><td>{count}</td>' in html
    row = '<th scope="row">Seine-Saint-Denis</th><td>93</td><td>53</td><td>23</td><td>76</td>'
    assert row in html
    assert "<td>252</td>" in html and "<td>61</td>" in html  # rural is FRR (structures.demo)
    assert html.count("<bar-chart") == 5
    assert 'aria-hidden="true"' in html  # charts repeat the tables, which screen readers read
    assert "/static/vendor/dsfr-chart/BarChart.js" in html
    assert "Données de démonstration" in html


def test_each_table_downloads_as_the_same_csv(client):
    rows = read_csv(client.get("/bilan/par-departement.csv?region=11"))
    assert rows[0][:5] == ["Département", "Code", "Structures", "Professionnels", "Total"]
    totals = {row[1] or row[0]: int(row[4]) for row in rows[1:]}
    assert totals["93"] == 76 and totals["77"] == 61
    assert totals["Hors département (réseaux régionaux)"] == 2
    assert totals["Total"] == 410
    kinds = read_csv(client.get("/bilan/structures-par-type.csv"))
    assert {row[0]: int(row[1]) for row in kinds[1:-1]} == BILAN_TYPES
    assert client.get("/bilan/inconnu.csv").status_code == 404
    bad = client.get("/bilan/par-annee.csv?region=xx")
    assert bad.status_code == 400 and "Région inconnue" in bad.content.decode()


def test_bilan_page_query_count_is_pinned(client, views_run, django_assert_num_queries):
    client.get("/bilan/")
    # Région choices validated and rendered (2); the bilan is a slice of the cached aggregate
    # (tests/structures/public/test_bilan_cache.py counts it cold).
    with django_assert_num_queries(2):
        assert client.get("/bilan/").status_code == 200
