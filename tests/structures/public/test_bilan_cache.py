"""The bilan and the statistics API are slices of one aggregate counted once per data version."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from structures.models import ProfessionnelSoutenu, Structure
from territoires.models import Commune

pytestmark = pytest.mark.usefixtures("demo_db", "views_run")


# Région choices validated and rendered (2, 1 for all régions: nothing to validate); the
# aggregate is already counted.
WARM_BILAN_QUERIES = 2
# Last-Modified of structures and professionals (1) + région validated (1, none for all).
WARM_STATISTICS_QUERIES = 2
# Data version read (1) + the aggregate: structures, professionals, départements, population.
AGGREGATE_QUERIES = 5


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_another_filter_is_a_slice_of_the_cached_aggregate(client, django_assert_num_queries):
    client.get("/bilan/")  # Île-de-France: counts the aggregate of every région
    with django_assert_num_queries(WARM_BILAN_QUERIES):
        assert client.get("/bilan/?region=44").status_code == 200
    with django_assert_num_queries(WARM_BILAN_QUERIES - 1):
        assert client.get("/bilan/?region=").status_code == 200  # all régions
    for region in ("11", "44"):
        with django_assert_num_queries(WARM_STATISTICS_QUERIES):
            assert client.get(f"/api/v1/statistiques?region={region}").status_code == 200
    with django_assert_num_queries(WARM_STATISTICS_QUERIES - 1):
        assert client.get("/api/v1/statistiques?region=").status_code == 200
    # A CSV table: Last-Modified (1) + région validated (1).
    with django_assert_num_queries(2):
        assert client.get("/bilan/par-departement.csv?region=44").status_code == 200


def test_cold_query_count_does_not_grow_with_the_data(client, more_structures):
    cold = queries_of(client, "/bilan/?region=44")
    assert cold == WARM_BILAN_QUERIES + AGGREGATE_QUERIES <= 12
    more_structures("93", 200)  # each save moves the data version forward
    assert queries_of(client, "/bilan/?region=44") == cold
    # The statistics API slices the aggregate the bilan counted for this version.
    assert queries_of(client, "/api/v1/statistiques") == WARM_STATISTICS_QUERIES - 1


def test_a_change_shows_at_once_after_the_aggregate_was_cached(client, more_structures):
    before = client.get("/api/v1/statistiques?region=11").json()
    assert client.get("/bilan/").status_code == 200
    more_structures("93", 3)
    after = client.get("/api/v1/statistiques?region=11").json()
    assert after["structures"]["total"] == before["structures"]["total"] + 3
    assert after["par_departement"]["93"] == before["par_departement"]["93"] + 3
    structure = Structure.objects.published().filter(departement__code="75").first()
    structure.delete()
    page = client.get("/bilan/").content.decode()
    total = before["structures"]["total"] + 2
    assert f'<span class="portal-chiffres__valeur">{total}</span> structures' in page


def test_the_secret_masks_a_small_count_of_a_slice_cut_from_the_cache(client):
    ge = client.get("/api/v1/statistiques?region=44").json()  # aggregate cached
    assert "Chirurgien-dentiste" not in ge["professionnels"]["par_profession"]
    commune = Commune.objects.get(code="08105")
    for montant in (Decimal(1000), Decimal(2000)):  # two dentists: below the threshold of 3
        ProfessionnelSoutenu.objects.create(
            profession="chirurgien-dentiste", commune=commune, region=commune.region,
            montant=montant, annee=2024, publication="publiee",
        )  # fmt: skip
    for url in ("/api/v1/statistiques?region=44", "/api/v1/statistiques"):
        data = client.get(url).json()
        assert data["professionnels"]["par_profession"]["Chirurgien-dentiste"] is None
        assert data["secret_statistique"]["cellules_masquees"] > 0
    idf = client.get("/api/v1/statistiques?region=11").json()
    assert "Chirurgien-dentiste" not in idf["professionnels"]["par_profession"]
    html = client.get("/bilan/?region=44").content.decode()
    assert '<th scope="row">Chirurgien-dentiste</th><td>secret statistique</td>' in html
    assert "3000" not in html and "3\u202f000" not in html
