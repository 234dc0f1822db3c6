"""Two agents edit the same record in the admin: the second save is refused, not lost.

Each agent is a browser (its own Client) that loads the change form and posts back what the
page rendered, with its own edits. The record's `modifie_le` travels in a signed hidden field.
"""

import html

import pytest
from django.test import Client
from django.urls import reverse

from aides.models import Aide
from structures.models import Structure
from tests.factories import (
    PASSWORD,
    AgentFactory,
    AideFactory,
    ProfessionnelFactory,
    StructureFactory,
    ZonageFactory,
)
from tests.form_values import as_post_data, rendered_form

pytestmark = pytest.mark.django_db

REFUSED = "a été modifié par quelqu&#x27;un d&#x27;autre depuis que vous l&#x27;avez ouvert"
NO_STAMP = "jeton de version absent ou altéré"


def agent(username):
    return AgentFactory(username=username, group="Agent départemental", departements=["93"])


def browser(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def opened(client, obj):
    """What the change form would send, as the agent's browser loaded it."""
    page = client.get(change_url(obj))
    assert page.status_code == 200
    pairs, _ = rendered_form(page.content.decode(), form_id=f"{obj._meta.model_name}_form")
    return as_post_data(pairs)


def save(client, obj, data, **changes):
    data = {**data, **{name: [value] for name, value in changes.items()}, "_save": ["Enregistrer"]}
    return client.post(change_url(obj), data)


@pytest.fixture
def structure():
    return StructureFactory(commune_code="93066", reference="T-93-1", nom="MSP des Lilas")


@pytest.fixture
def two_agents():
    return browser(agent("alice")), browser(agent("bruno"))


def test_second_save_is_refused_with_what_changed_and_the_first_is_kept(two_agents, structure):
    alice, bruno = two_agents
    form_alice, form_bruno = opened(alice, structure), opened(bruno, structure)

    assert save(alice, structure, form_alice, nom="MSP Alice").status_code == 302
    refused = save(bruno, structure, form_bruno, nom="MSP Bruno", adresse="2 rue Bruno")

    assert refused.status_code == 200
    page = refused.content.decode()
    assert REFUSED in page
    assert "Nom : « MSP Alice » dans la base maintenant, « MSP des Lilas » quand vous" in page
    assert "Adresse :" not in page  # unchanged by Alice: not listed
    structure.refresh_from_db()
    assert (structure.nom, structure.adresse) == ("MSP Alice", form_alice["adresse"][0])
    assert structure.history.count() == 2  # creation and Alice's save, nothing of Bruno's


def test_a_save_without_a_concurrent_edit_goes_through(two_agents, structure):
    alice, bruno = two_agents
    assert save(alice, structure, opened(alice, structure), nom="MSP Alice").status_code == 302
    # Bruno opens the page after Alice's save: he starts from her version.
    assert save(bruno, structure, opened(bruno, structure), nom="MSP Bruno").status_code == 302
    structure.refresh_from_db()
    assert structure.nom == "MSP Bruno"


def test_resaving_after_seeing_the_differences_replaces_them_deliberately(two_agents, structure):
    alice, bruno = two_agents
    form_alice, form_bruno = opened(alice, structure), opened(bruno, structure)
    save(alice, structure, form_alice, nom="MSP Alice")
    refused = save(bruno, structure, form_bruno, nom="MSP Bruno")
    pairs, _ = rendered_form(refused.content.decode(), form_id="structure_form")

    assert save(bruno, structure, as_post_data(pairs)).status_code == 302
    structure.refresh_from_db()
    assert structure.nom == "MSP Bruno"


@pytest.mark.parametrize(
    "stamp",
    [
        None,  # hand-made POST without the hidden field
        "",
        "2020-01-01T00:00:00+00:00",  # a bare date, unsigned
        "eyJzdGFtcCI6IjIwMjAifQ:1tAbCd:forged-signature",
    ],
)
def test_a_post_without_a_valid_stamp_is_refused(two_agents, structure, stamp):
    alice, _ = two_agents
    data = opened(alice, structure)
    if stamp is None:
        del data["jeton_version"]
    else:
        data["jeton_version"] = [stamp]

    refused = save(alice, structure, data, nom="Sans jeton")

    assert refused.status_code == 200
    assert NO_STAMP in refused.content.decode()
    structure.refresh_from_db()
    assert structure.nom == "MSP des Lilas"


def test_a_stamp_of_another_record_is_refused(two_agents, structure):
    alice, _ = two_agents
    other = StructureFactory(commune_code="93066", reference="T-93-2")
    data = opened(alice, structure)
    data["jeton_version"] = opened(alice, other)["jeton_version"]

    assert NO_STAMP in save(alice, structure, data, nom="Jeton volé").content.decode()
    structure.refresh_from_db()
    assert structure.nom == "MSP des Lilas"


def test_hostile_values_in_the_differences_are_escaped(two_agents, structure):
    alice, bruno = two_agents
    form_alice, form_bruno = opened(alice, structure), opened(bruno, structure)
    hostile = '<img src=x onerror="alert(1)">'
    save(alice, structure, form_alice, nom=hostile)

    page = save(bruno, structure, form_bruno, nom="MSP Bruno").content.decode()

    assert REFUSED in page
    assert f"Nom : « {html.escape(hostile)} » dans la base maintenant" in page
    assert "<img src=x" not in page


def test_an_aid_edited_twice_keeps_the_first_save():
    aide = AideFactory(nom="Aide à l'installation", resume="Résumé d'origine.", financeurs=["ars"])
    editor = AgentFactory(username="editrice", is_superuser=True)
    first, second = browser(editor), browser(editor)
    form_first, form_second = opened(first, aide), opened(second, aide)

    saved = save(first, aide, form_first, resume="Résumé corrigé.")
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    refused = save(second, aide, form_second, nom="Autre nom")

    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Description courte : « Résumé corrigé. » dans la base maintenant" in page
    assert "« Résumé d&#x27;origine. » quand vous avez ouvert la page" in page
    assert Aide.objects.get(pk=aide.pk).nom == "Aide à l'installation"


@pytest.mark.parametrize("factory", [ProfessionnelFactory, ZonageFactory])
def test_professionals_and_zonings_keep_the_first_save_too(two_agents, factory):
    alice, bruno = two_agents
    if factory is ZonageFactory:
        alice.force_login(AgentFactory(username="zonages", is_superuser=True))
        bruno.force_login(AgentFactory(username="zonages-bis", is_superuser=True))
        obj, field, label = factory(profession="infirmier"), "titre", "Titre de l&#x27;acte"
    else:
        obj, field, label = factory(nom="Dr Martin"), "nom", "Nom et prénom"
    before = getattr(obj, field)
    form_alice, form_bruno = opened(alice, obj), opened(bruno, obj)

    assert save(alice, obj, form_alice, **{field: "Version Alice"}).status_code == 302
    refused = save(bruno, obj, form_bruno, **{field: "Version Bruno"})

    assert refused.status_code == 200
    expected = f"{label} : « Version Alice » dans la base maintenant, « {html.escape(before)} »"
    assert expected in refused.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == "Version Alice"


def test_reverting_an_old_version_is_refused_when_the_record_changed_meanwhile(
    two_agents, structure
):
    alice, bruno = two_agents
    structure.nom = "Deuxième nom"
    structure.save()
    version = structure.history.earliest()
    revert = reverse("admin:structures_structure_simple_history", args=[structure.pk, version.pk])
    pairs, _ = rendered_form(bruno.get(revert).content.decode(), form_id="historicalstructure_form")
    assert save(alice, structure, opened(alice, structure), nom="Nom d'Alice").status_code == 302

    refused = bruno.post(revert, as_post_data(pairs))

    assert refused.status_code == 200
    assert "Nom : « Nom d&#x27;Alice » dans la base maintenant, « Deuxième nom »" in (
        refused.content.decode()
    )
    structure.refresh_from_db()
    assert structure.nom == "Nom d'Alice"


def test_the_admins_of_records_with_a_stamp_all_check_it():
    from django.contrib import admin

    from portal.lib.admin import OptimisticLockMixin

    stamped = {
        model._meta.label
        for model in admin.site._registry
        if "modifie_le" in {f.name for f in model._meta.concrete_fields}
        and any(not f.auto_created and f.editable for f in model._meta.concrete_fields)
    }
    checked = {
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, OptimisticLockMixin)
    }
    assert stamped - {"territoires.Contour"} <= checked  # contours: read-only in the admin
    assert Structure._meta.label in checked
