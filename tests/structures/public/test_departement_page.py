"""The territoires département page gathers key figures, structures, zonings and aids."""

import re

import pytest
from django.core.cache import cache

from aides.models import Aide

pytestmark = pytest.mark.usefixtures("demo_db", "no_network_tiles")


def page(client, code="93"):
    response = client.get(f"/territoires/departements/{code}/")
    assert response.status_code == 200
    return response.content.decode()


def test_key_figures_of_the_departement(client):
    html = page(client)
    assert "Chiffres clés des aides" in html
    figures = re.findall(r'portal-chiffres__valeur">([^<]+)<', html)
    # Seine-Saint-Denis in the Région's bilan: 76 = 53 structures + 23 professionals.
    assert figures[:2] == ["53", "23"]


def test_structures_map_and_table_share_the_page_with_the_departement_outline(client):
    html = page(client)
    assert "Structures soutenues publiées — Seine-Saint-Denis (30 premières sur 53)" in html
    assert html.count("vendor/leaflet/leaflet.js") == 1  # Leaflet loaded once, plugins kept
    assert html.count("leaflet.markercluster.js") == 1
    assert 'href="/carte/93/"' in html


def test_zonings_per_profession(client):
    html = page(client)
    assert "Zones en vigueur par profession" in html
    section = html[html.index('id="zones-par-profession"') :]
    for label in ("Médecin généraliste", "Sage-femme", "Quartiers prioritaires"):
        assert label in section
    assert "/zonages/?profession=medecin-generaliste&amp;departement=93" in section


def test_aids_that_apply_somewhere_in_the_departement(client):
    html = page(client)
    section = html[html.index('id="aides-departement"') :]
    regional = Aide.objects.get(slug="idf-structures-exercice-collectif")
    grand_est = Aide.objects.get(slug="grand-est-internes-zones-fragilisees")
    assert regional.get_absolute_url() in section
    assert grand_est.get_absolute_url() not in section
    assert grand_est.get_absolute_url() in page(client, "54")


def test_departement_page_query_count_is_pinned(
    client, views_run, django_assert_num_queries, more_structures
):
    # Cold (empty cache; the process has drawn the map and its zone index has seen this
    # data version): the territoires page itself, the version token and the key figures (5:
    # the bilan's aggregate), zones of the communes (4, computed once for the zonings and the
    # aids sections; the map's QPV come from the zone index), the structures map (the ids of
    # its rows; the rows and the communes kept by the process for the data version) and the
    # aids, whatever the number of rows.
    page(client)
    cache.clear()
    with django_assert_num_queries(20):
        page(client)
    more_structures("93", 20)
    page(client)
    cache.clear()
    with django_assert_num_queries(20):
        assert "(30 premières sur 73)" in page(client)
