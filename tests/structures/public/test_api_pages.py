"""`/api/v1/structures` answers by pages of 100 (documented), with links to the next ones."""

import pytest

from structures.filters import PAGE_SIZE
from structures.models import Structure
from tests.structures.public.test_api import check
from tests.structures.public.test_api import openapi as openapi  # the fixture

pytestmark = pytest.mark.usefixtures("demo_db")


@pytest.fixture(autouse=True)
def _views_run(settings):
    """Without the page cache (portal.lib.pagecache): every request runs its view."""
    settings.PORTAL_PAGE_CACHE_SECONDS = 0


def ids(body):
    return [feature["id"] for feature in body["features"]]


def test_pages_of_the_documented_size_with_absolute_links(client, openapi):
    first = check(openapi, client.get("/api/v1/structures?region=11")).json()
    assert PAGE_SIZE == 100 and len(first["features"]) == 100
    assert (first["nombre"], first["page"], first["pages"], first["par_page"]) == (281, 1, 3, 100)
    assert first["precedent"] is None
    assert first["suivant"] == "http://testserver/api/v1/structures?region=11&page=2"
    second = check(openapi, client.get(first["suivant"])).json()
    assert second["precedent"] == "http://testserver/api/v1/structures?region=11&page=1"
    last = check(openapi, client.get(second["suivant"])).json()
    assert len(last["features"]) == 81 and last["suivant"] is None
    walked = ids(first) + ids(second) + ids(last)
    expected = list(
        Structure.objects.published().in_regions(["11"]).order_by("pk").values_list("pk", flat=True)
    )
    assert walked == expected  # every structure once, in the order of identifiers


def test_filters_combine_with_pages(client, openapi):
    url = "/api/v1/structures?departement=93&type=msp&par_page=5"
    first = check(openapi, client.get(url)).json()
    expected = list(
        Structure.objects.published()
        .filter(departement__code="93", type="msp")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert first["nombre"] == len(expected) > 5 and first["pages"] == -(-len(expected) // 5)
    assert "departement=93" in first["suivant"] and "type=msp" in first["suivant"]
    second = client.get(first["suivant"]).json()
    assert ids(first) + ids(second) == expected[:10]
    assert {f["properties"]["type"] for f in second["features"]} == {"msp"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/structures?region=11&page=4", "la dernière page est la page 3"),
        ("/api/v1/structures?page=0", "Numéro de page entier attendu"),
        ("/api/v1/structures?page=deux", "Numéro de page entier attendu"),
        ("/api/v1/structures?par_page=1001", "Nombre entier de 1 à 1000 attendu"),
    ],
)
def test_a_page_out_of_range_is_a_french_400(client, openapi, url, message):
    response = check(openapi, client.get(url))
    assert response.status_code == 400
    assert message in str(response.json()["details"])


def test_an_empty_selection_is_one_empty_page(client, openapi):
    body = check(openapi, client.get("/api/v1/structures?commune=00000")).json()
    assert (body["nombre"], body["pages"], body["features"], body["suivant"]) == (0, 1, [], None)


def test_query_count_does_not_grow_with_the_page(client, views_run, django_assert_num_queries):
    # Data version (1) + Last-Modified (1) + département validated (1) + count (1) + the
    # page's identifiers (1) + structures, aids, professionals (3) + the date of the body (1);
    # then, the version token cached and no département, two less.
    with django_assert_num_queries(9):
        client.get("/api/v1/structures?departement=93&par_page=10")
    with django_assert_num_queries(7):
        client.get("/api/v1/structures?par_page=1000")
