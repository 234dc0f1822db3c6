"""The public page cache: anonymous visitors get stored answers, never stale ones, never
another visitor's nonce; agents and bad requests always reach their view; ETag and 304."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.settings import cache_from_url
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db

NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def aide(db):
    return AideFactory(slug="aide-cache", nom="Aide à l'installation en ZIP")


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def header_nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def test_a_second_anonymous_visit_is_served_without_running_the_view(client, aide):
    first, cold = get(client, "/aides/aide-cache/")
    second, warm = get(client, "/aides/aide-cache/")
    assert first.status_code == second.status_code == 200
    assert cold > 0 and warm == 0
    assert "Aide à l&#x27;installation en ZIP" in second.content.decode()


def test_each_hit_carries_its_own_nonce_in_the_body_and_the_header(client, aide):
    first, _ = get(client, "/aides/aide-cache/")
    second, warm = get(client, "/aides/aide-cache/")
    assert warm == 0
    nonces = [set(NONCE.findall(r.content.decode())) for r in (first, second)]
    assert nonces[0] == {header_nonce(first)} and nonces[1] == {header_nonce(second)}
    assert nonces[0] != nonces[1]
    # Apart from the nonce, the stored page is the page.
    assert first.content.decode().replace(
        header_nonce(first), "N"
    ) == second.content.decode().replace(header_nonce(second), "N")


def test_a_change_shows_at_once(client, aide):
    get(client, "/aides/aide-cache/")
    aide.nom = "Aide renommée par un agent"
    aide.save()
    response, queries = get(client, "/aides/aide-cache/")
    assert queries > 0
    assert "Aide renommée par un agent" in response.content.decode()


def test_agents_and_flash_messages_always_reach_the_view(client, aide):
    get(client, "/aides/aide-cache/")
    agent = get_user_model().objects.create_user("agent", password="x", is_staff=True)
    client.force_login(agent)
    _, queries = get(client, "/aides/aide-cache/")
    assert queries > 0  # session, user, then the view
    client.logout()
    client.cookies["messages"] = "x"
    _, queries = get(client, "/aides/aide-cache/")
    assert queries > 0


def test_errors_are_not_stored(client, db):
    for _ in range(2):
        response, queries = get(client, "/api/v1/aides?commune=99999")
        assert response.status_code == 400 and queries > 0
        assert "ETag" not in response


def test_conditional_get_gives_a_304_without_body_nor_policy(client, aide):
    first, _ = get(client, "/aides/aide-cache/")
    assert first["Cache-Control"] == "private, no-cache"  # browsers revalidate, proxies skip
    again, _ = get(client, "/aides/aide-cache/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert "Content-Security-Policy" not in again  # the stored copy's nonce stays valid
    aide.nom = "Aide modifiée"
    aide.save()
    changed, _ = get(client, "/aides/aide-cache/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_api_answers_are_stored_and_revalidated_too(client, aide):
    first, cold = get(client, "/api/v1/aides?commune=93066")
    second, warm = get(client, "/api/v1/aides?commune=93066")
    assert first.status_code == 200 and cold > 0 and warm == 0
    assert first.json() == second.json()
    assert "public" in second["Cache-Control"]
    assert (
        get(client, "/api/v1/aides?commune=93066", HTTP_IF_NONE_MATCH=first["ETag"])[0].status_code
        == 304
    )


def test_the_admin_is_left_alone(client, db):
    for _ in range(2):
        response = client.get("/admin/login/")
        assert response.status_code == 200 and "ETag" not in response
        assert "csrfmiddlewaretoken" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/0", "portal.lib.rediscache.RedisCache"),
        ("db://portal_cache", "django.core.cache.backends.db.DatabaseCache"),
        ("file:///var/cache/portail", "django.core.cache.backends.filebased.FileBasedCache"),
    ],
)
def test_cache_url_names_the_shared_backend(url, backend):
    assert cache_from_url(url)["BACKEND"] == backend


def test_an_unknown_cache_url_is_refused_in_french():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL inconnu"):
        cache_from_url("memcache://127.0.0.1")
