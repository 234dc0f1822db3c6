"""The aid change form saves what it shows: multi-choice fields are checkboxes, round-tripped.

Posted back exactly as a browser would send the rendered page (tests.form_values).
"""

import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command

from aides.models import Aide

from ..form_values import as_post_data, rendered_form

pytestmark = pytest.mark.django_db

MULTI = ["publics", "professions", "types_structure", "etapes"]


@pytest.fixture
def catalogue_aide(db):
    call_command("load_aides", stdout=io.StringIO())
    return Aide.objects.exclude(publics=[]).exclude(etapes=[]).order_by("slug").first()


def change_url(aide):
    return f"/admin/aides/aide/{aide.pk}/change/"


def shown(client, aide):
    page = client.get(change_url(aide))
    assert page.status_code == 200
    pairs, _ = rendered_form(page.content.decode(), form_id="aide_form")
    data = as_post_data(pairs)
    texts = [v for name in MULTI for v in data.get(name, []) if v.startswith("[")]
    assert not texts, f"a list rendered as text: {texts}"
    return data


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser("admin", "admin@example.test", "x")
    client.force_login(user)
    return user


def test_a_catalogue_aid_posted_back_unchanged_is_saved_unchanged(client, superuser,
                                                                  catalogue_aide):  # fmt: skip
    before = {name: getattr(catalogue_aide, name) for name in MULTI}
    data = shown(client, catalogue_aide)
    assert data["publics"] == before["publics"]  # one checked box per stored value

    response = client.post(change_url(catalogue_aide), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    catalogue_aide.refresh_from_db()
    assert {name: getattr(catalogue_aide, name) for name in MULTI} == before


def test_checking_one_more_choice_is_saved(client, superuser, catalogue_aide):
    data = shown(client, catalogue_aide)
    added = next(v for v in ("etudiant", "structure", "professionnel") if v not in data["publics"])
    data["publics"] = [*data["publics"], added]
    data["etapes"] = data["etapes"][:1]

    response = client.post(change_url(catalogue_aide), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    catalogue_aide.refresh_from_db()
    assert added in catalogue_aide.publics
    assert catalogue_aide.etapes == data["etapes"]
    assert Aide.objects.filter(publics__contains=f"|{added}|", pk=catalogue_aide.pk).exists()


def test_an_editor_without_the_publish_permission_cannot_publish_through_the_form(
    client, catalogue_aide
):
    editor = User.objects.create_user("editeur", password="x", is_staff=True)
    perms = Permission.objects.filter(codename__in=["view_aide", "change_aide"])
    editor.user_permissions.add(*perms)
    client.force_login(editor)
    Aide.objects.filter(pk=catalogue_aide.pk).update(statut="brouillon")
    data = shown(client, catalogue_aide)
    assert "statut" not in data
    data["statut"] = ["publiee"]
    data["resume"] = ["Résumé revu."]

    response = client.post(change_url(catalogue_aide), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    catalogue_aide.refresh_from_db()
    assert catalogue_aide.resume == "Résumé revu."
    assert catalogue_aide.statut == "brouillon"


def test_a_reader_cannot_revert_an_aid_through_its_history(client, catalogue_aide):

    reader = User.objects.create_user("lecteur", password="x", is_staff=True)
    reader.groups.add(Group.objects.get(name="Lecteur"))
    client.force_login(reader)
    version = catalogue_aide.history.earliest()
    url = f"/admin/aides/aide/{catalogue_aide.pk}/history/{version.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    pairs, submits = rendered_form(page.content.decode(), form_id="historicalaide_form")
    assert not submits and "nom" not in dict(pairs)

    client.force_login(User.objects.create_superuser("admin", "a@example.test", "x"))
    data = shown(client, catalogue_aide)  # the whole valid form, as an editor would send it
    client.force_login(reader)
    data["publics"] = ["etudiant"]
    data["nom"] = ["Aide piratée"]
    assert client.post(url, data).status_code == 403
    catalogue_aide.refresh_from_db()
    assert catalogue_aide.nom != "Aide piratée"


def test_reverting_keeps_the_fields_the_editor_may_not_change(client, catalogue_aide):
    """An editor without the publish permission cannot republish an aid by reverting to a
    published version: read-only fields keep their current value."""
    assert catalogue_aide.statut == "publiee"
    published = catalogue_aide.history.latest()
    catalogue_aide.statut = "brouillon"
    catalogue_aide.save()
    editor = User.objects.create_user("editeur", password="x", is_staff=True)
    perms = Permission.objects.filter(codename__in=["view_aide", "change_aide"])
    editor.user_permissions.add(*perms)
    client.force_login(editor)
    url = f"/admin/aides/aide/{catalogue_aide.pk}/history/{published.pk}/"
    pairs, submits = rendered_form(client.get(url).content.decode(), form_id="historicalaide_form")
    assert submits  # an editor may revert

    response = client.post(url, as_post_data(pairs))
    assert response.status_code == 302
    catalogue_aide.refresh_from_db()
    assert catalogue_aide.statut == "brouillon"
