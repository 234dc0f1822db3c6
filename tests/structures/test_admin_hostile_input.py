"""Crafted back-office requests get a refusal or a French message, never a 500.

A source field that is not a commune in the scoped autocomplete, an action on a selection
that names no real row, a NUL character in a list filter or in a history address.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from aides.models import Aide
from structures.models import Structure
from territoires.models import Zonage

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

NOTHING_SELECTED = "Aucun élément n’a été modifié"


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("chef", "chef@example.test", "x"))
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "params",
    [
        {"app_label": "structures", "model_name": "structure", "field_name": "region"},
        {"app_label": "structures", "model_name": "professionnelsoutenu", "field_name": "aide"},
        {"app_label": "structures", "model_name": "structure", "field_name": "nom"},
        {"app_label": "structures", "model_name": "structure", "field_name": "inexistant"},
        {"app_label": "aides", "model_name": "aide", "field_name": "communes"},
        {"app_label": "structures\x00", "model_name": "structure", "field_name": "commune"},
    ],
)
def test_scoped_autocomplete_refuses_a_source_that_is_not_a_commune(client, agent_93, params):
    assert client.login(username=agent_93.username, password=PASSWORD)
    client.raise_request_exception = False
    url = reverse("admin:structures_communes_autocomplete")
    response = client.get(url, {**params, "term": "a"})
    assert response.status_code == 403
    assert "results" not in response.content.decode()


def test_scoped_autocomplete_still_suggests_communes_of_the_scope(client, agent_93):
    assert client.login(username=agent_93.username, password=PASSWORD)
    url = reverse("admin:structures_communes_autocomplete")
    for model_name in ("structure", "professionnelsoutenu"):
        params = {"app_label": "structures", "model_name": model_name, "field_name": "commune"}
        results = client.get(url, {**params, "term": "Saint-Denis"}).json()["results"]
        texts = [r["text"] for r in results]
        assert "Saint-Denis (93066)" in texts and all("(93" in t for t in texts), model_name


@pytest.mark.parametrize(
    "changelist", ["structures_structure", "aides_aide", "territoires_zonage", "aides_financeur"]
)
@pytest.mark.parametrize("selection", [["abc"], ["1\x00"], [""]])
@pytest.mark.parametrize("with_index", [True, False])
def test_an_action_on_a_selection_naming_no_row_is_a_french_message(
    superuser_client, changelist, selection, with_index
):
    url = reverse(f"admin:{changelist}_changelist")
    data = {"action": "delete_selected", "_selected_action": selection}
    if with_index:
        data["index"] = "0"
    response = superuser_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert NOTHING_SELECTED in response.content.decode()


def test_an_action_on_real_rows_still_works(superuser_client, structure_93):
    url = reverse("admin:structures_structure_changelist")
    response = superuser_client.post(
        url, {"action": "publier", "index": "0", "_selected_action": [structure_93.pk, "abc"]}
    )
    assert response.status_code == 302
    assert Structure.objects.get(pk=structure_93.pk).publication == "publiee"


@pytest.mark.parametrize(
    "query",
    [
        ("structures_structure", "publication=%00"),
        ("structures_professionnelsoutenu", "profession=%00"),
        ("aides_aide", "statut=%00"),
        ("aides_aide", "q=%00"),
        ("territoires_zonage", "kind=%00"),
        ("territoires_commune", "type=%00"),
    ],
)
def test_a_nul_character_in_a_list_filter_is_no_500(superuser_client, query):
    changelist, params = query
    response = superuser_client.get(f"{reverse(f'admin:{changelist}_changelist')}?{params}")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")


def history_urls():
    aide = Aide.objects.create(slug="aide-h", nom="Aide H", resume="R.", forme="subvention",
                               nature_montant="plafond")  # fmt: skip
    zonage = Zonage.objects.create(kind="qpv", titre="QPV", editeur="ANCT",
                                   date_acte="2024-01-01", valide_du="2024-01-01")  # fmt: skip
    urls = []
    for opts, pk in ((Aide._meta, aide.pk), (Zonage._meta, zonage.pk)):
        base = f"/admin/{opts.app_label}/{opts.model_name}"
        urls += [f"{base}/{pk}/history/%00/", f"{base}/%00/history/", f"{base}/%00/history/1/",
                 f"{base}/{pk}/history/abc/"]  # fmt: skip
    return urls


def test_a_nul_character_in_a_history_address_is_a_404(superuser_client):
    for url in history_urls():
        response = superuser_client.get(url)
        assert response.status_code == 404, url
