"""The agents' lists cost a fixed number of queries, whatever the number of rows."""

import pytest
from django.urls import reverse

from tests.factories import StructureFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

COMMUNES_93 = ["93066", "93008", "93001", "93005", "93048", "93055"]
# Session, user, permissions (2: user and groups), agent scope (2), filters (départements,
# years, aids), page count, page rows.
CHANGELIST_QUERIES = 11


@pytest.mark.parametrize("url_name", ["structures_structure_changelist"])
def test_structure_list_query_count_is_pinned_and_constant(
    client, agent_93, django_assert_num_queries, url_name
):
    assert client.login(username=agent_93.username, password=PASSWORD)
    url = reverse(f"admin:{url_name}")
    StructureFactory(commune_code="93066")
    with django_assert_num_queries(CHANGELIST_QUERIES):
        assert client.get(url).status_code == 200
    for i, code in enumerate(COMMUNES_93 * 4):
        StructureFactory(
            commune_code=code, nom=f"Structure {i}", date_decision=f"20{10 + i % 10}-01-01"
        )
    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = client.get(url, {"zone": "aucune", "o": "3"})
    assert response.status_code == 200
    assert "Structure 23" in response.content.decode()


def test_professionals_list_query_count_is_pinned(client, agent_93, django_assert_num_queries):
    from structures.models import ProfessionnelSoutenu
    from territoires.models import Commune

    assert client.login(username=agent_93.username, password=PASSWORD)
    for code in COMMUNES_93:
        commune = Commune.objects.get(code=code)
        ProfessionnelSoutenu.objects.create(
            profession="infirmier", commune=commune, region=commune.region, annee=2023
        )
    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = client.get(reverse("admin:structures_professionnelsoutenu_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "annee=93066",
        "annee=0",
        "annee=abc",
        "departement=9%00",
        "q=Saint%00Denis",
        "date_decision__year=0",
    ],
)
@pytest.mark.parametrize(
    "url_name", ["structures_structure_changelist", "structures_professionnelsoutenu_changelist"]
)
def test_odd_filter_values_give_an_empty_list_not_an_error(client, agent_93, url_name, query):
    assert client.login(username=agent_93.username, password=PASSWORD)
    response = client.get(f"{reverse(f'admin:{url_name}')}?{query}")
    assert response.status_code in (200, 302)
