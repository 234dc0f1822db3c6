"""The three journeys of the portal, in Chromium, as a person would do them.

Every step is photographed; the pictures land in test-artifacts/ when a test fails. The
`visit` fixture also fails a journey on any CSP violation, JavaScript error or 5xx.
"""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from structures.models import ProfilAgent, Structure
from territoires.models import Region

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-l-agent"
TIMEOUT = 10_000  # ms


def test_a_professional_finds_the_aids_of_a_commune_and_opens_one(visit):
    page = visit.page
    visit.goto("/")
    visit.step("accueil")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Trouver une aide"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    visit.step("recherche")

    commune = page.get_by_label("Commune ou code postal")
    commune.press_sequentially("saint denis", delay=20)
    suggestion = page.locator('#communes-suggestions option[value="Saint-Denis (93066)"]')
    expect(suggestion).to_be_attached(timeout=TIMEOUT)
    assert page.locator("#communes-suggestions option").first.get_attribute("value") == (
        "Saint-Denis (93066)"
    ), "Saint-Denis (93) doit être la première suggestion"
    commune.fill("Saint-Denis (93066)")  # what choosing the suggestion does
    page.get_by_label("Profession").select_option("medecin-generaliste")
    visit.step("critères")
    page.get_by_role("button", name="Rechercher").click()

    title = page.locator("#titre-resultats")
    expect(title).to_contain_text("à Saint-Denis")
    count = int(re.search(r"(\d+) aide", title.inner_text()).group(1))
    assert count > 0
    first = page.locator("article.aides-carte").first
    expect(first.get_by_text("Pourquoi cette aide s'applique ici")).to_be_visible()
    assert first.locator("ul li").count() > 0, "chaque résultat dit pourquoi il s'applique"
    visit.step("résultats")

    link = first.locator(".fr-card__title a")
    name = link.inner_text().strip()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    visit.step("fiche de l'aide")


def test_a_student_explores_where_to_settle_as_a_kine_in_grand_est_then_opens_the_finder(visit):
    page = visit.page
    visit.goto("/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Où m'installer ?"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Où m'installer ?")
    page.get_by_label("Profession").select_option("masseur-kinesitherapeute")
    page.get_by_label("Région").select_option("44")
    page.get_by_label("Trier par").select_option("aides")
    visit.step("critères")
    page.get_by_role("button", name="Afficher les communes").click()

    expect(page.locator("#titre-resultats")).to_contain_text("Grand Est")
    expect(page.locator(".leaflet-container").first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("path.leaflet-interactive").first).to_be_attached(timeout=TIMEOUT)
    assert "region=44" in page.url and "profession=masseur-kinesitherapeute" in page.url
    visit.step("carte et tableau")

    first = page.locator("#table-communes tbody tr").first
    commune = first.locator("th").inner_text()  # "Nom (code)"
    count = int(re.match(r"\d+", first.locator("td").first.inner_text()).group(0))
    assert count > 0, "la commune en tête du tri par nombre d'aides en a au moins une"
    first.get_by_role("link", name=re.compile("Voir les aides")).click()

    title = page.locator("#titre-resultats")
    expect(title).to_contain_text(f"{count} aide")
    expect(title).to_contain_text("à " + commune.rsplit(" (", 1)[0])
    visit.step("recherche pour la commune")


def test_the_public_reads_the_regional_map_then_a_departement_and_its_table(visit):
    page = visit.page
    visit.goto("/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Carte des structures"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Carte des structures soutenues")
    # The folium map ran (its inline script carries the CSP nonce) and drew the départements.
    expect(page.locator(".leaflet-container").first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("path.leaflet-interactive").first).to_be_attached(timeout=TIMEOUT)
    visit.step("carte régionale")

    departements = page.locator("#table-departements")
    expect(departements).to_contain_text("Seine-Saint-Denis (93)")
    departements.get_by_role("link", name="Carte Seine-Saint-Denis").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Seine-Saint-Denis (93)")
    expect(page.locator(".leaflet-container").first).to_be_visible(timeout=TIMEOUT)
    visit.step("carte du département")

    table = page.locator("#table-structures table")
    table.scroll_into_view_if_needed()
    expect(table.locator("caption")).to_contain_text("Seine-Saint-Denis")
    rows = table.locator("tbody tr")
    assert rows.count() > 0
    assert "Aucune structure" not in rows.first.inner_text()
    expect(page.get_by_text("En résumé")).to_be_visible()
    visit.step("tableau du département")


@pytest.fixture
def agent():
    user = User.objects.create_user("agente.idf", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Agent régional"))
    ProfilAgent.objects.create(user=user, region=Region.objects.get(code="11"))
    return user


def log_in(visit, username):
    page = visit.page
    visit.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    visit.step("connexion")
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_text("Administration des données")).to_be_visible()
    visit.step("accueil agents")


def test_a_wrong_password_is_explained_in_french(visit, agent):
    page = visit.page
    visit.goto("/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill(agent.username)
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Connexion").click()
    expect(page.locator(".errornote")).to_contain_text("Veuillez compléter correctement")
    visit.step("erreur de connexion")


STRUCTURE_COLUMNS = "Numéro de dossier,Type,Nom,Code commune,Latitude,Longitude,Statut\n"


def import_csv(visit, name: str, content: str):
    page = visit.page
    visit.goto("/admin/structures/structure/import/")
    page.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.locator("select[name=format]").select_option(label="csv")
    visit.step(f"import {name}")
    page.locator(
        '#content form input[type="submit"], #content form button[type="submit"]'
    ).first.click()


def test_an_agent_places_a_structure_on_the_map_and_imports_a_spreadsheet(visit, agent):
    page = visit.page
    log_in(visit, agent.username)

    # Create a structure by clicking on the map: the point fills latitude and longitude and the
    # commune is found from the point.
    visit.goto("/admin/structures/structure/add/")
    page.locator("#id_nom").fill("Maison de santé des Essais")
    page.locator("#id_type").select_option("msp")
    point_map = page.locator(".structures-point-map")
    expect(point_map).to_be_visible()
    point_map.click()
    expect(page.locator("#id_latitude")).not_to_have_value("")
    expect(page.locator("#id_longitude")).not_to_have_value("")
    visit.step("structure placée sur la carte")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("Maison de santé des Essais")
    visit.step("structure enregistrée")
    created = Structure.objects.get(nom="Maison de santé des Essais")
    assert created.commune is not None and created.commune.region.code == "11"
    assert created.latitude is not None

    # A file with one bad row: the error is shown, nothing is saved.
    bad = (
        STRUCTURE_COLUMNS
        + "ESSAI-1,msp,MSP de Provins,77379,48.5597,3.2995,financé\n"
        + "ESSAI-2,msp,MSP de nulle part,99999,,,financé\n"
    )
    import_csv(visit, "structures-erreur.csv", bad)
    expect(page.get_by_text("Certaines lignes ont échoué à la validation")).to_be_visible()
    error_row = page.locator("tr", has_text="ESSAI-2")
    expect(error_row).to_contain_text("99999")
    error_row.locator(".validation-error-count").hover()
    expect(error_row.locator(".validation-error-list")).to_be_visible()
    expect(error_row.locator(".validation-error-list")).to_contain_text("99999")
    assert page.locator('input[value*="Confirm"], button:has-text("Confirmer")').count() == 0
    visit.step("erreur d'import")
    assert not Structure.objects.filter(reference__in=["ESSAI-1", "ESSAI-2"]).exists()

    # The corrected file: previewed, confirmed, saved.
    good = bad.replace("MSP de nulle part,99999,,,", "MSP de Saint-Denis,93066,48.9362,2.3574,")
    import_csv(visit, "structures.csv", good)
    confirm = page.locator('input[type="submit"][value*="onfirm"], button:has-text("Confirmer")')
    expect(confirm.first).to_be_visible()
    visit.step("aperçu de l'import")
    confirm.first.click()
    expect(page.locator(".messagelist")).to_be_visible()
    visit.step("import confirmé")
    imported = Structure.objects.filter(reference__in=["ESSAI-1", "ESSAI-2"])
    assert sorted(s.commune.code for s in imported) == ["77379", "93066"]


def test_an_agent_unticks_every_field_of_an_export_with_select_all(visit, agent):
    """The toggle is wired from a script file: the CSP blocked the inline handler."""
    page = visit.page
    log_in(visit, agent.username)
    visit.goto("/admin/structures/structure/export/")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    expect(fields.first).to_be_checked()
    page.locator('input[name="select-all-toggle"]').uncheck()
    visit.step("export sans champ")
    for i in range(fields.count()):
        expect(fields.nth(i)).not_to_be_checked()
    page.locator('input[name="select-all-toggle"]').check()
    expect(fields.last).to_be_checked()
