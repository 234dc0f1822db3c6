"""Agents write and publish aids in the admin; history is kept; conditions are checked."""

import pytest
from django.contrib.auth import get_user_model

from aides.forms import ConditionZonageForm
from aides.models import Aide
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client):
    user = get_user_model().objects.create_superuser("agent", "agent@example.test", "x")
    client.force_login(user)
    return user


def test_agent_publishes_a_draft_and_history_records_it(client, agent):
    aide = AideFactory(slug="nouvelle", statut="brouillon")
    assert client.get("/aides/nouvelle/").status_code == 200  # agents preview drafts
    client.logout()
    assert client.get("/aides/nouvelle/").status_code == 404
    client.force_login(agent)
    response = client.post(
        "/admin/aides/aide/", {"action": "publier", "_selected_action": [aide.pk]}
    )
    assert response.status_code == 302
    aide.refresh_from_db()
    assert aide.statut == "publiee"
    assert aide.history.first().history_user == agent
    assert aide.history.count() == 2
    client.logout()
    assert client.get("/aides/nouvelle/").status_code == 200


def test_admin_pages_open(client, agent):
    aide = AideFactory(slug="une-aide")
    for url in ("/admin/aides/aide/", f"/admin/aides/aide/{aide.pk}/change/",
                "/admin/aides/aide/add/", f"/admin/aides/aide/{aide.pk}/history/",
                "/admin/aides/bareme/add/", "/admin/aides/financeur/"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/aides/aide/", {"q": "une"}).status_code == 200


def test_condition_form_rejects_unknown_categories_once_zonings_exist(zip_saint_denis):
    form = ConditionZonageForm({"profession": "", "categories": "zip, zzz", "libelle": ""})
    assert not form.is_valid()
    assert "Catégorie(s) inconnue(s) : zzz" in form.errors["categories"][0]
    empty = ConditionZonageForm({"profession": "", "categories": "", "libelle": ""})
    assert not empty.is_valid()
    assert empty.errors["__all__"][0].startswith("Indiquez au moins une catégorie")
    ok = ConditionZonageForm({"profession": "", "categories": "ZIP , zac", "libelle": ""})
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["categories"] == "zip, zac"


def test_model_refuses_inverted_dates_and_scale_without_scale(db):
    from django.core.exceptions import ValidationError

    aide = Aide(slug="x", nom="x", resume="x", forme="bourse", nature_montant="bareme",
                date_ouverture="2026-01-02", date_cloture="2026-01-01")  # fmt: skip
    with pytest.raises(ValidationError) as error:
        aide.full_clean()
    assert "bareme" in error.value.message_dict


def test_archiving_closes_the_aid_from_today(client, agent):
    aide = AideFactory(slug="a-archiver")
    client.post("/admin/aides/aide/", {"action": "archiver", "_selected_action": [aide.pk]})
    aide.refresh_from_db()
    assert aide.statut == "archivee"
    assert aide.date_cloture is not None
    # Without a closing date, an archived aid is never "open".
    Aide.objects.filter(pk=aide.pk).update(date_cloture=None)
    aide.refresh_from_db()
    assert not aide.is_open_on(aide.cree_le.date())
    assert not Aide.objects.open_on(aide.cree_le.date()).filter(pk=aide.pk).exists()
