"""The site shell: DSFR layout, French pages, journeys reachable from the home page."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_page_presents_the_three_journeys(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Portail de l&#x27;accès aux soins" in html or "Portail de l'accès aux soins" in html
    assert 'class="fr-header"' in html and 'class="fr-footer"' in html
    assert 'href="#content"' in html  # skip link
    for url in (reverse("aides:finder"), reverse("structures:carte"), reverse("admin:index")):
        assert f'href="{url}"' in html


@pytest.mark.django_db
def test_assets_are_served_locally(client):
    html = client.get("/").content.decode()
    assert "/static/dsfr/dist/dsfr/dsfr.min.css" in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_unknown_page_gives_a_french_404(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_server_error_page_is_french_and_standalone(rf):
    from portal.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()


@pytest.mark.django_db
def test_main_menu_marks_the_current_page(client):
    html = client.get(reverse("aides:finder")).content.decode()
    assert f'href="{reverse("aides:finder")}" target="_self" aria-current="page"' in html
    assert 'href="/" target="_self" aria-current="page"' not in html
