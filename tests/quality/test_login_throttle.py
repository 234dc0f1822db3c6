"""Admin login: repeated failures lock the account from that address for a while."""

import pytest
from django.core.cache import caches
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def clean_counters(settings):
    cache = caches[settings.LOGIN_THROTTLE["cache"]]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user(
        "agent", password="mot-de-passe-solide", is_staff=True
    )


def attempt(client, username, password, **extra):
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post(LOGIN, data, **extra)


def test_wrong_password_is_a_french_form_error_below_the_limit(client, agent):
    response = attempt(client, "agent", "faux")
    assert response.status_code == 200
    assert "Veuillez compléter correctement les champs" in response.content.decode()


def test_after_five_failures_even_the_right_password_is_refused(client, agent):
    for _ in range(5):
        assert attempt(client, "agent", "faux").status_code == 200
    response = attempt(client, "agent", "mot-de-passe-solide")
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by these failures.
    other = attempt(client, "quelquun", "faux")
    assert other.status_code == 200


def test_the_lock_is_per_address(client, agent):
    for _ in range(5):
        attempt(client, "agent", "faux")
    response = attempt(client, "agent", "mot-de-passe-solide", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_successful_login_resets_the_count(client, agent):
    for _ in range(4):
        attempt(client, "agent", "faux")
    assert attempt(client, "agent", "mot-de-passe-solide").status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "agent", "faux").status_code == 200
    assert attempt(client, "agent", "mot-de-passe-solide").status_code == 302


def test_spraying_many_usernames_from_one_address_is_stopped(client, agent):
    for index in range(20):
        attempt(client, f"inconnu{index}", "faux")
    assert attempt(client, "agent", "mot-de-passe-solide").status_code == 429
