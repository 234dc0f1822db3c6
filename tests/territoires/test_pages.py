"""Département and commune pages: DSFR layout, real data, map with its text alternative."""

import pytest
from django.conf import settings
from django.urls import reverse

from territoires import sections

pytestmark = pytest.mark.django_db
needs_contours = pytest.mark.skipif(
    not settings.GEO_DATA_DIR.is_dir(), reason="PORTAL_GEO_DATA_DIR absent (contours)"
)


@pytest.fixture
def own_queries_only(monkeypatch):
    """Sections of other apps (aids, zonings…) pin their own queries in their tests."""
    monkeypatch.setattr(sections, "_registry", {page: {} for page in sections.PAGES})


def page(client, name, code):
    response = client.get(reverse(f"territoires:{name}", args=[code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html and 'class="fr-header"' in html
    assert 'class="fr-breadcrumb"' in html
    return html


def test_departement_page_lists_its_communes(client):
    html = page(client, "departement", "77")
    assert "<h1>Seine-et-Marne (77)</h1>" in html
    assert "Île-de-France" in html
    assert "Communes : 507" in html
    assert html.count('<th scope="row"><a href="/territoires/communes/77') == 507
    assert '<a href="/territoires/communes/77379/">Provins</a>' in html


@needs_contours
def test_departement_map_points_to_its_table(client):
    html = page(client, "departement", "93")
    assert 'class="portal-map"' in html
    assert 'href="#communes"' in html and 'id="communes"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html


def test_departement_page_query_count(
    client, version_known, django_assert_num_queries, own_queries_only
):
    # département, its communes (with EPCI/EPT), its contour — whatever the number of communes
    with django_assert_num_queries(3):
        client.get(reverse("territoires:departement", args=["57"]))


def test_commune_page(client):
    html = page(client, "commune", "93066")
    assert "<h1>Saint-Denis</h1>" in html
    assert "93200 93210 93380" in html
    assert "Plaine Commune" in html and "Métropole du Grand Paris" in html
    assert "Pierrefitte-sur-Seine (93059), Saint-Denis (93066)" in html  # communes déléguées
    assert "75059, 75066, 93059 (Pierrefitte-sur-Seine)" in html  # anciens codes
    assert '<a href="/territoires/departements/93/">' in html


def test_paris_lists_its_arrondissements_and_an_arrondissement_its_commune(client):
    html = page(client, "commune", "75056")
    assert html.count('<a href="/territoires/communes/751') == 20
    html = page(client, "commune", "75104")
    assert "Arrondissement municipal de" in html
    assert '<a href="/territoires/communes/75056/">Paris</a>' in html


@needs_contours
def test_commune_map_has_local_assets_and_nonce(client):
    html = page(client, "commune", "77379")
    assert 'class="portal-map portal-map--small"' in html
    assert "portalMaps.draw" in html and "fitBounds" in html
    assert '"type": "geojson"' in html  # the outline, as JSON beside the map
    assert "cdn." not in html.lower()


def test_commune_page_query_count(
    client, version_known, django_assert_num_queries, own_queries_only
):
    # commune with refs, arrondissements, aliases, contour
    with django_assert_num_queries(4):
        client.get(reverse("territoires:commune", args=["75056"]))


@pytest.mark.parametrize(
    ("name", "code"), [("departement", "13"), ("departement", "xx"), ("commune", "99999")]
)
def test_unknown_code_gives_the_french_404(client, name, code):
    response = client.get(reverse(f"territoires:{name}", args=[code]))
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_other_apps_can_add_a_section(client, tmp_path, settings):
    template_dir = tmp_path / "templates"
    (template_dir / "essai").mkdir(parents=True)
    (template_dir / "essai" / "section.html").write_text(
        '<section id="essai"><h2>Aides à {{ section.nom }}</h2></section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [template_dir, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    sections.register("commune", "essai", "essai/section.html", lambda r, c: {"nom": c.nom})
    try:
        html = page(client, "commune", "77379")
        assert "<h2>Aides à Provins</h2>" in html
    finally:
        sections.unregister("commune", "essai")
