"""A departmental agent sees and edits only its départements: list, URL, form, import.

Each protected view is tried as the owner, as a colleague of another département, as a
reader and as an anonymous visitor.
"""

import pytest
from django.urls import reverse

from structures.models import Structure

from ..form_values import rendered_form
from .conftest import PASSWORD, interior_point

pytestmark = pytest.mark.django_db


def change_url(structure):
    return reverse("admin:structures_structure_change", args=[structure.pk])


def form_data(structure, **changes):
    data = {
        "reference": structure.reference,
        "type": structure.type,
        "nom": structure.nom,
        "statut": structure.statut,
        "adresse": structure.adresse,
        "commune": structure.commune_id,
        "region": structure.region_id,
        "latitude": structure.latitude,
        "longitude": structure.longitude,
        "montant_accorde": "",
        "date_decision": "",
        "publication": structure.publication,
        "presences-TOTAL_FORMS": "0",
        "presences-INITIAL_FORMS": "0",
        "presences-MIN_NUM_FORMS": "0",
        "presences-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(client, structure, **changes):
    """form_data with the version stamp the agent's change form carries (the record as
    the agent opened it: no concurrent edit)."""
    pairs, _ = rendered_form(
        client.get(change_url(structure)).content.decode(), form_id="structure_form"
    )
    return {**form_data(structure, **changes), "jeton_version": dict(pairs)["jeton_version"]}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_list_shows_only_the_agents_departement(client, agent_93, structure_93, structure_75):
    html = login(client, agent_93).get(reverse("admin:structures_structure_changelist"))
    html = html.content.decode()
    assert structure_93.nom in html
    assert structure_75.nom not in html


def test_regional_agent_sees_the_whole_region(client, agent_regional, structure_93, structure_75):
    html = login(client, agent_regional).get(reverse("admin:structures_structure_changelist"))
    assert structure_93.nom in html.content.decode()
    assert structure_75.nom in html.content.decode()


def test_owner_edits_its_structure(client, agent_93, structure_93):
    response = login(client, agent_93).post(
        change_url(structure_93), edit_data(client, structure_93, nom="MSP renommée")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    structure_93.refresh_from_db()
    assert structure_93.nom == "MSP renommée"


def test_colleague_of_another_departement_cannot_open_or_post(client, agent_75, structure_93):
    login(client, agent_75)
    page = client.get(change_url(structure_93))
    assert page.status_code in (302, 404)
    assert structure_93.nom not in page.content.decode()
    history = client.get(reverse("admin:structures_structure_history", args=[structure_93.pk]))
    assert history.status_code == 404

    client.post(change_url(structure_93), form_data(structure_93, nom="Piraté"))
    structure_93.refresh_from_db()
    assert structure_93.nom != "Piraté"


def test_anonymous_is_sent_to_login(client, structure_93):
    response = client.get(change_url(structure_93))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_reader_sees_but_cannot_change(client, lecteur, structure_93):
    login(client, lecteur)
    assert client.get(change_url(structure_93)).status_code == 200
    response = client.post(change_url(structure_93), form_data(structure_93, nom="Modifié"))
    assert response.status_code == 403
    structure_93.refresh_from_db()
    assert structure_93.nom != "Modifié"
    assert client.get(reverse("admin:structures_structure_import")).status_code == 403


def test_form_refuses_a_commune_outside_the_scope(client, agent_93, structure_75):
    lat, lon = interior_point("75115")
    login(client, agent_93)
    response = client.post(
        reverse("admin:structures_structure_add"),
        form_data(structure_75, reference="T-NEW", nom="Nouvelle MSP", latitude=lat, longitude=lon),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "commune" in errors
    assert not Structure.objects.filter(reference="T-NEW").exists()


def test_form_refuses_moving_its_structure_to_another_departement(client, agent_93, structure_93):
    from territoires.models import Commune

    paris_15 = Commune.objects.get(code="75115")
    lat, lon = interior_point("75115")
    login(client, agent_93)
    response = client.post(
        change_url(structure_93),
        edit_data(client, structure_93, commune=paris_15.pk, latitude=lat, longitude=lon),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "commune" in errors and "__all__" not in errors  # refused for its scope
    structure_93.refresh_from_db()
    assert structure_93.commune.code == "93066"


def test_only_a_regional_agent_records_a_region_wide_network(client, agent_93, agent_regional):
    from territoires.models import Region

    ile_de_france = Region.objects.get(code="11")
    data = {
        "reference": "T-RESEAU", "type": "reseau-sante", "nom": "Réseau régional",
        "statut": "finance", "region": ile_de_france.pk, "publication": "brouillon",
        "presences-TOTAL_FORMS": "0", "presences-INITIAL_FORMS": "0",
    }  # fmt: skip
    url = reverse("admin:structures_structure_add")
    response = login(client, agent_93).post(url, data)
    assert response.status_code == 200
    assert not Structure.objects.filter(reference="T-RESEAU").exists()

    client.logout()
    response = login(client, agent_regional).post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    network = Structure.objects.get(reference="T-RESEAU")
    assert network.departement is None and network.region == ile_de_france


def test_commune_autocomplete_suggests_only_the_scope(client, agent_93):
    login(client, agent_93)
    url = reverse("admin:structures_communes_autocomplete")
    params = {"app_label": "structures", "model_name": "structure", "field_name": "commune"}
    saint = client.get(url, {**params, "term": "Saint"}).json()["results"]
    assert saint and all("(93" in r["text"] for r in saint)
    assert client.get(url, {**params, "term": "Provins"}).json()["results"] == []
    assert client.get(url, {**params, "term": "Bobi\x00gny"}).status_code == 200


def test_dashboard_counts_only_the_scope(client, agent_93, structure_93, structure_75):
    response = login(client, agent_93).get(reverse("admin:structures_tableau_de_bord"))
    assert response.status_code == 200
    assert response.context["a_publier"]["structures"] == 1
    html = response.content.decode()
    assert structure_93.nom in html and structure_75.nom not in html


def test_point_outside_the_commune_is_an_error_the_agent_sees(client, agent_93, structure_93):
    lat, lon = interior_point("93008")  # Bobigny, while the commune says Saint-Denis
    login(client, agent_93)
    data = edit_data(client, structure_93, latitude=lat, longitude=lon)
    response = client.post(change_url(structure_93), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Bobigny" in errors["latitude"][0] and "Saint-Denis" in errors["latitude"][0]
    assert "Bobigny" in response.content.decode()
    structure_93.refresh_from_db()
    assert (structure_93.latitude, structure_93.longitude) != (lat, lon)
