"""The history "revert" form writes only for those who may change the record, in their scope.

As an attacker would: open an old version (GET), change a field in what the page rendered,
POST it back. A reader and an agent of another département get nothing written.
"""

import pytest
from django.urls import reverse

from structures.models import ProfessionnelSoutenu
from territoires.models import Commune

from ..form_values import as_post_data, rendered_form
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_structure(structure_93):
    structure_93.publication = "publiee"
    structure_93._change_reason = "Publication"
    structure_93.save()
    return structure_93


@pytest.fixture
def published_pro(db):
    commune = Commune.objects.get(code="93066")
    return ProfessionnelSoutenu.objects.create(
        nom="Dr Dupont", profession="medecin-generaliste", commune=commune,
        region=commune.region, annee=2024, montant=1000, publication="publiee",
    )  # fmt: skip


def revert_url(obj):
    opts = obj._meta
    version = obj.history.earliest()
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version.pk]
    )


def tampered(client, obj, **changes):
    """GET the revert form as the user sees it, then the POST data with `changes` applied."""
    page = client.get(revert_url(obj))
    assert page.status_code == 200
    pairs, _ = rendered_form(
        page.content.decode(), form_id=f"historical{obj._meta.model_name}_form"
    )
    data = as_post_data(pairs)
    data.update({name: [value] for name, value in changes.items()})
    return data


@pytest.mark.parametrize("record", ["published_structure", "published_pro"])
def test_reader_gets_no_working_revert_form(client, lecteur, record, request):
    obj = request.getfixturevalue(record)
    assert client.login(username=lecteur.username, password=PASSWORD)
    before = obj.history.count()

    page = client.get(revert_url(obj))
    assert page.status_code == 200  # readers may read old versions
    html = page.content.decode()
    pairs, submits = rendered_form(html, form_id=f"historical{obj._meta.model_name}_form")
    assert not any(name == "nom" for name, _ in pairs), "old version shown as an editable form"
    assert not submits

    data = as_post_data(pairs)
    data["nom"] = ["Piraté par un lecteur"]
    response = client.post(revert_url(obj), data)
    assert response.status_code == 403
    obj.refresh_from_db()
    assert obj.nom != "Piraté par un lecteur"
    assert obj.history.count() == before


@pytest.mark.parametrize("record", ["published_structure", "published_pro"])
def test_agent_of_another_departement_cannot_revert(client, agent_75, record, request):
    obj = request.getfixturevalue(record)
    assert client.login(username=agent_75.username, password=PASSWORD)
    assert client.get(revert_url(obj)).status_code == 404
    response = client.post(revert_url(obj), {"nom": "Piraté par le 75"})
    assert response.status_code == 404
    obj.refresh_from_db()
    assert obj.nom != "Piraté par le 75"


@pytest.mark.parametrize("record", ["published_structure", "published_pro"])
def test_agent_in_scope_still_reverts(client, agent_93, record, request):
    obj = request.getfixturevalue(record)
    assert client.login(username=agent_93.username, password=PASSWORD)
    response = client.post(revert_url(obj), tampered(client, obj, nom="Nom rétabli"))
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.nom == "Nom rétabli"
    assert obj.history.first().history_user == agent_93
