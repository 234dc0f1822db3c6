"""The aid page: everything about a scheme, where it applies, printable; drafts stay private."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import AideFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def aide(zip_saint_denis):
    return AideFactory(
        slug="aide-zip",
        nom="Aide aux médecins en ZIP",
        professions=["medecin-generaliste"],
        conditions=[("medecin-generaliste", "zip")],
        financeurs=["assurance-maladie"],
        demarches="Écrire à la CPAM.",
        source_juridique="Convention médicale",
        montant_confirme=False,
        note_verification="Le montant exact reste à confirmer.",
    )


def test_page_gives_the_scheme_its_source_and_check_date(client, aide):
    html = client.get("/aides/aide-zip/").content.decode()
    assert "<h1>Aide aux médecins en ZIP</h1>" in html
    assert "Comment la demander" in html and "Écrire à la CPAM." in html
    assert "https://example.test/aide" in html
    assert "Informations vérifiées le 23 novembre 2026" in html
    assert "Ce qui n'a pas pu être confirmé" in html
    assert "Le montant exact reste à confirmer." in html


def test_page_shows_where_the_aid_applies_as_a_map_and_a_table(client, aide):
    html = client.get("/aides/aide-zip/?departement=93").content.decode()
    assert 'id="table-zones"' in html
    assert "Saint-Denis (93066)" in html
    assert "folium-map" in html
    assert "les mêmes informations sous forme de texte" in html
    other = client.get("/aides/aide-zip/?departement=77").content.decode()
    assert "Saint-Denis (93066)" not in other
    assert "Aucune commune de ce département" in other


def test_printable_view_has_no_site_chrome_nor_map(client, aide):
    html = client.get("/aides/aide-zip/?imprimer=1").content.decode()
    assert 'class="fr-header"' not in html
    assert "folium-map" not in html
    assert 'id="table-zones"' in html
    assert "Imprimé depuis" in html


def test_drafts_are_a_404_for_the_public_and_visible_to_agents(client, db):
    AideFactory(slug="en-preparation", nom="Aide en préparation", statut="brouillon")
    assert client.get("/aides/en-preparation/").status_code == 404
    agent = get_user_model().objects.create_user("agent", password="x", is_staff=True)
    client.force_login(agent)
    response = client.get("/aides/en-preparation/")
    assert response.status_code == 200
    assert "seuls les agents la voient" in response.content.decode()


def test_archived_scheme_says_it_is_closed(client, db):
    AideFactory(slug="ferme", statut="archivee", date_cloture="2025-12-31")
    html = client.get("/aides/ferme/").content.decode()
    assert "Dispositif fermé le 31 décembre 2025" in html


def test_unknown_aid_is_a_french_404(client, db):
    response = client.get("/aides/n-existe-pas/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()
