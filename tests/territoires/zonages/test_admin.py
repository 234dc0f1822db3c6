"""Agents' admin: import with preview then confirmation, edits with history and signal."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territoires.models import Commune, Zonage, Zone, ZoneCommune
from territoires.zonages.signals import zonages_changed
from tests.factories import ActeFactory

from .conftest import QPV_FILE, counts, csv_annex, needs_qpv

pytestmark = pytest.mark.django_db
IMPORT_URL = reverse("admin:territoires_zonage_import")
ROWS = [("93066", "Saint-Denis", "ZIP"), ("77379", "Provins", "ZAC")]


@pytest.fixture
def agent(client):
    user = User.objects.create_superuser("agent", "agent@example.test", "motdepasse-solide")
    client.force_login(user)
    return user


def form_data(content, name="annexe.csv", **extra):
    return {
        "action": "apercu",
        "fichier": SimpleUploadedFile(name, content),
        "kind": "ars",
        "profession": "medecin-generaliste",
        "region": "11",
        "date_acte": "2022-03-31",
        "url": "https://example.test/arrete.pdf",
        "titre": "Arrêté de test",
        **extra,
    }


def test_upload_shows_a_preview_then_confirmation_writes_the_act(client, agent):
    assert (
        "Importer un fichier"
        in client.get(reverse("admin:territoires_zonage_changelist")).content.decode()
    )
    before = counts()
    preview = client.post(IMPORT_URL, form_data(csv_annex(ROWS)))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Aperçu (rien n'a encore été écrit)" in html
    assert "Confirmer l'import" in html
    assert "2 ajouté(s), 0 retiré(s)" in html
    assert counts() == before
    token = preview.context["token"]

    confirmed = client.post(IMPORT_URL, {"action": "confirmer", "token": token})
    zonage = Zonage.objects.get(titre="Arrêté de test")
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:territoires_zonage_change", args=[zonage.pk])
    assert sorted(zonage.zones.values_list("perimetre__commune__code", flat=True)) == [
        "77379", "93066",
    ]  # fmt: skip
    assert zonage.history.get().history_user == agent
    # The same token cannot be used twice.
    again = client.post(IMPORT_URL, {"action": "confirmer", "token": token}, follow=True)
    assert "Aperçu expiré ou introuvable" in again.content.decode()


def test_preview_of_a_malformed_file_lists_errors_and_offers_no_confirmation(client, agent):
    before = counts()
    response = client.post(IMPORT_URL, form_data(csv_annex([*ROWS, ("99999", "?", "ZIP")])))
    html = response.content.decode()
    assert "Ligne 4 : commune « 99999 » inconnue du référentiel." in html
    assert "Confirmer l'import" not in html
    assert "Import refusé, rien n'a été écrit." in html
    assert counts() == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"fichier": SimpleUploadedFile("annexe.pdf", b"%PDF-1.4")}, "Type de fichier non accepté"),
        ({"url": ""}, "L&#x27;adresse de l&#x27;acte publié est obligatoire."),
        ({"date_acte": ""}, "La date de l&#x27;acte est obligatoire."),
    ],
)
def test_form_errors_are_in_french(client, agent, extra, message):
    response = client.post(IMPORT_URL, {**form_data(csv_annex(ROWS)), **extra})
    assert message in response.content.decode()
    assert not Zonage.objects.exists()


def test_an_agent_without_permission_cannot_import(client):
    user = User.objects.create_user("lecteur", password="motdepasse-solide", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_zonage"))
    client.force_login(user)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, form_data(csv_annex(ROWS))).status_code == 403
    assert not Zonage.objects.exists()


def test_zone_page_shows_its_act_and_edits_are_kept_in_history(
    client, agent, django_capture_on_commit_callbacks
):
    act = ActeFactory(zones={"zip": ["93066"]}, titre="Arrêté ARS 2022")
    zone = act.zones.get()
    url = reverse("admin:territoires_zone_change", args=[zone.pk])
    html = client.get(url).content.decode()
    assert reverse("admin:territoires_zonage_change", args=[act.pk]) in html
    assert "Arrêté ARS 2022" in html

    received = []
    zonages_changed.connect(
        lambda sender, zonage_ids, **kw: received.append(zonage_ids),
        weak=False,
        dispatch_uid="test-admin",
    )
    try:
        provins = Commune.objects.get(code="77379")
        row = zone.perimetre.get()
        data = {
            "zonage": act.pk, "categorie": zone.categorie_id, "code": "", "libelle": "Nord",
            "perimetre-TOTAL_FORMS": "2", "perimetre-INITIAL_FORMS": "1",
            "perimetre-MIN_NUM_FORMS": "0", "perimetre-MAX_NUM_FORMS": "1000",
            "perimetre-0-id": row.pk, "perimetre-0-zone": zone.pk,
            "perimetre-0-commune": row.commune_id, "perimetre-0-code_iris": "",
            "perimetre-1-id": "", "perimetre-1-zone": zone.pk,
            "perimetre-1-commune": provins.pk, "perimetre-1-code_iris": "",
        }  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        assert response.status_code == 302
    finally:
        zonages_changed.disconnect(dispatch_uid="test-admin")
    assert received == [[act.pk]]
    zone.refresh_from_db()
    assert zone.libelle == "Nord"
    added = ZoneCommune.history.get(commune=provins)
    assert (added.history_type, added.history_user) == ("+", agent)
    history = client.get(reverse("admin:territoires_zone_history", args=[zone.pk]))
    assert "Nord" in history.content.decode() and "agent" in history.content.decode()


def test_a_category_of_another_act_is_refused(client, agent):
    act = ActeFactory(zones={"zip": ["93066"]})
    other = ActeFactory(zones={"zac": ["77379"]}, profession="infirmier")
    zone = act.zones.get()
    response = client.post(
        reverse("admin:territoires_zone_add"),
        {"zonage": act.pk, "categorie": other.categories.get().pk, "code": "", "libelle": "",
         "perimetre-TOTAL_FORMS": "0", "perimetre-INITIAL_FORMS": "0",
         "perimetre-MIN_NUM_FORMS": "0", "perimetre-MAX_NUM_FORMS": "1000"},
    )  # fmt: skip
    assert "Cette catégorie appartient à un autre acte que celui de la zone." in (
        response.content.decode()
    )
    assert Zone.objects.filter(zonage=act).count() == 1 and zone.pk


def test_commune_admin_search_serves_autocomplete(client, agent):
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "Provins", "app_label": "territoires", "model_name": "zonecommune",
         "field_name": "commune"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "77379" in response.content.decode()


def test_an_ars_act_without_profession_is_refused_in_french(client, agent):
    response = client.post(
        reverse("admin:territoires_zonage_add"),
        {"kind": "ars", "profession": "", "titre": "Arrêté", "editeur": "ARS Grand Est",
         "date_acte": "2024-01-01", "valide_du": "2024-01-01", "valide_au": "2023-01-01",
         "categories-TOTAL_FORMS": "0", "categories-INITIAL_FORMS": "0",
         "zones-TOTAL_FORMS": "0", "zones-INITIAL_FORMS": "0"},
    )  # fmt: skip
    html = response.content.decode()
    assert "Un zonage ARS concerne une profession : choisissez-la." in html
    assert "La fin de validité précède le début de validité." in html
    assert not Zonage.objects.exists()


@pytest.mark.parametrize("model", ["zonage", "zone", "zonecommune", "categoriezone"])
def test_admin_lists_do_not_grow_with_their_rows(client, agent, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(f"admin:territoires_{model}_changelist")

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    ActeFactory(zones={"zip": ["93066"]}, profession="infirmier")
    client.get(url)
    few = queries()
    for profession in ("sage-femme", "orthophoniste", "chirurgien-dentiste"):
        ActeFactory(zones={"zip": ["93066", "77379"], "zac": ["75118"]}, profession=profession)
    assert queries() == few


@needs_qpv
def test_qpv_geojson_through_the_admin(client, agent):
    import json

    features = json.loads(QPV_FILE.read_text(encoding="utf-8"))["features"][:2]
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    data = {
        "action": "apercu", "kind": "qpv", "region": "11",
        "fichier": SimpleUploadedFile("qpv.geojson", content),
    }  # fmt: skip
    preview = client.post(IMPORT_URL, data)
    assert "2 zone(s)" in preview.content.decode()
    assert not Zonage.objects.exists()
    client.post(IMPORT_URL, {"action": "confirmer", "token": preview.context["token"]})
    act = Zonage.objects.get(kind="qpv")
    assert act.editeur == "ANCT" and act.zones.count() == 2


def test_agents_correct_what_a_category_opens_and_history_keeps_the_old_value(client, agent):
    act = ActeFactory(zones={"zac": ["77379"]})
    categorie = act.categories.get()
    url = reverse("admin:territoires_categoriezone_change", args=[categorie.pk])
    response = client.post(
        url,
        {"zonage": act.pk, "code": "zac", "libelle": "ZAC", "ordre": "1",
         "eligibilites": ["aides-conventionnelles", "aides-collectivites"]},
    )  # fmt: skip
    assert response.status_code == 302
    categorie.refresh_from_db()
    assert categorie.eligibilites == ["aides-conventionnelles", "aides-collectivites"]
    old, new = categorie.history.order_by("history_date")
    assert old.eligibilites == ["aides-conventionnelles"] and new.history_user == agent
    history = client.get(reverse("admin:territoires_categoriezone_history", args=[categorie.pk]))
    assert "aides-collectivites" in history.content.decode()


def test_reverting_a_zone_through_its_history_sends_zonages_changed(
    client, agent, django_capture_on_commit_callbacks
):
    """Derived data (structures' zones, the finder's index) follows a revert too."""
    from tests.form_values import as_post_data, rendered_form

    act = ActeFactory(zones={"zip": ["93066"]}, titre="Arrêté ARS 2022")
    zone = act.zones.get()
    first = zone.history.earliest()
    zone.libelle = "Nord"
    zone.save()
    received = []
    zonages_changed.connect(
        lambda sender, zonage_ids, **kw: received.append(zonage_ids),
        weak=False,
        dispatch_uid="test-revert",
    )
    try:
        url = reverse("admin:territoires_zone_simple_history", args=[zone.pk, first.pk])
        page = client.get(url).content.decode()
        pairs, _ = rendered_form(page, form_id="historicalzone_form")
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, as_post_data(pairs)).status_code == 302
    finally:
        zonages_changed.disconnect(dispatch_uid="test-revert")
    zone.refresh_from_db()
    assert zone.libelle == first.libelle
    assert received == [[act.pk]]


def test_a_zone_over_thousands_of_communes_opens_and_saves_without_one_form_per_commune(
    client, agent
):
    """A CartoSanté zone covers thousands of communes: one inline form per commune would make
    the page too big to post (DATA_UPLOAD_MAX_NUMBER_FIELDS). The agent gets the count and a
    link to the territories, and can still correct the zone's name."""
    codes = list(Commune.objects.filter(region__code="44").values_list("code", flat=True)[:250])
    zonage = ActeFactory(zones={"intermediaire": codes}, profession="infirmier")
    zone = zonage.zones.get()
    url = reverse("admin:territoires_zone_change", args=[zone.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "250 territoires" in html and "perimetre-TOTAL_FORMS" not in html
    listing = client.get(
        reverse("admin:territoires_zonecommune_changelist"), {"zone__id__exact": zone.pk}
    )
    assert listing.status_code == 200 and "250 résultats" in listing.content.decode()
    response = client.post(
        url,
        {"zonage": zonage.pk, "categorie": zone.categorie_id, "code": "", "libelle": "Renommée"},
    )
    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.libelle == "Renommée" and zone.perimetre.count() == 250


def test_an_act_with_zones_can_be_deleted_but_not_a_category_still_holding_zones(client, agent):
    zonage = ActeFactory(zones={"zip": ["93066"], "zac": ["77379"]})
    categorie = zonage.categories.get(code="zac")
    refused = client.post(
        reverse("admin:territoires_categoriezone_delete", args=[categorie.pk]), {"post": "yes"}
    )
    assert refused.status_code == 200 and "Zone" in refused.content.decode()
    assert categorie.zones.exists()
    deleted = client.post(
        reverse("admin:territoires_zonage_delete", args=[zonage.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert not Zonage.objects.filter(pk=zonage.pk).exists()
    assert not Zone.objects.filter(zonage_id=zonage.pk).exists()


def test_zones_are_found_by_the_name_of_one_of_their_communes_with_their_count(client, agent):
    ActeFactory(zones={"zip": ["93066", "93048"], "zac": ["77379"]}, titre="Acte de recherche")
    listing = client.get(reverse("admin:territoires_zone_changelist"), {"q": "Provins"})
    rows = listing.context["cl"].result_list
    assert [(zone.categorie.code, zone._communes) for zone in rows] == [("zac", 1)]
    both = client.get(reverse("admin:territoires_zone_changelist"), {"q": "Acte de recherche"})
    assert sorted((z.categorie.code, z._communes) for z in both.context["cl"].result_list) == [
        ("zac", 1),
        ("zip", 2),
    ]


def test_a_large_act_is_written_by_the_worker_after_the_preview(
    client, agent, settings, django_capture_on_commit_callbacks
):
    from portal.lib import background_import
    from portal.models import ImportEnTache

    settings.IMPORT_TASK_THRESHOLD = 1  # this act's 2 territories count as a large file
    preview = client.post(IMPORT_URL, form_data(csv_annex(ROWS)))
    assert "2 ajouté(s), 0 retiré(s)" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        confirmed = client.post(
            IMPORT_URL, {"action": "confirmer", "token": preview.context["token"]}
        )
    job = ImportEnTache.objects.get()
    assert confirmed["Location"] == reverse("admin:portal_importentache_change", args=[job.pk])
    assert len(queued) == 1 and job.lignes == 2 and job.modele == "territoires.zonage"
    assert not Zonage.objects.filter(titre="Arrêté de test").exists()  # not in the request

    assert background_import.run(job.pk) == "terminé"
    zonage = Zonage.objects.get(titre="Arrêté de test")
    assert zonage.history.get().history_user == agent  # the agent, not "unknown"
    page = client.get(confirmed["Location"]).content.decode()
    assert "Zonage importé : « Arrêté de test »" in page and "2 / 2 lignes" in page
    assert background_import.run(job.pk) == "déjà traité"
    assert Zonage.objects.filter(titre="Arrêté de test").count() == 1
