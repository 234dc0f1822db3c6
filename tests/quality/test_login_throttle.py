"""Admin login: repeated failures lock the account from that address for a while.

The bar of the attack report: 5 failures for an account from an address, or 20 from an
address, lock for 15 minutes (really 15), in the database (shared by every worker and
server, kept across restarts), whatever the Unicode spelling of the username, from the
real client address behind a trusted proxy only, and without a race letting parallel
attempts through.
"""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "mot-de-passe-solide"


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user("agent", password=PASSWORD, is_staff=True)


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves forward: `clock.advance(minutes=…)`."""

    class Clock:
        def __init__(self):
            self.offset = timedelta()

        def advance(self, **delta):
            self.offset += timedelta(**delta)

    real_now = timezone.now
    state = Clock()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + state.offset)
    return state


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
    response = attempt(client, "agent", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Trop de tentatives de connexion" in body
    assert "15 minutes" in body
    assert 'class="fr-alert' in body  # the DSFR page, not a bare message
    assert int(response["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by these failures.
    other = attempt(client, "quelquun", "faux")
    assert other.status_code == 200


def test_the_lock_is_per_address(client, agent):
    for _ in range(5):
        attempt(client, "agent", "faux")
    response = attempt(client, "agent", PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_successful_login_resets_the_count(client, agent):
    for _ in range(4):
        attempt(client, "agent", "faux")
    assert attempt(client, "agent", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "agent", "faux").status_code == 200
    assert attempt(client, "agent", PASSWORD).status_code == 302


def test_spraying_many_usernames_from_one_address_is_stopped(client, agent):
    for index in range(20):
        attempt(client, f"inconnu{index}", "faux")
    assert attempt(client, "agent", PASSWORD).status_code == 429


def test_the_lock_lasts_fifteen_minutes_not_less_and_not_more(client, agent, clock):
    for _ in range(5):
        attempt(client, "agent", "faux")
    clock.advance(minutes=10)
    # Knocking on a locked door neither gets in nor extends the lock.
    assert attempt(client, "agent", "faux").status_code == 429
    clock.advance(minutes=4, seconds=50)
    locked = attempt(client, "agent", PASSWORD)
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 10
    clock.advance(seconds=11)
    assert attempt(client, "agent", PASSWORD).status_code == 302


def test_the_lock_survives_a_worker_restart(client, agent, settings):
    for _ in range(5):
        attempt(client, "agent", "faux")
    for alias in settings.CACHES:
        caches[alias].clear()
    fresh = Client()  # another worker, another server: nothing shared but the database
    assert attempt(fresh, "agent", PASSWORD).status_code == 429


def test_a_fullwidth_spelling_of_the_username_counts_for_the_account(client, django_user_model):
    django_user_model.objects.create_user("victime", password=PASSWORD, is_staff=True)
    for _ in range(5):
        assert attempt(client, "ｖｉｃｔｉｍｅ", "faux").status_code == 200
    assert attempt(client, "ｖｉｃｔｉｍｅ", PASSWORD).status_code == 429
    assert attempt(client, "victime", PASSWORD).status_code == 429
    assert attempt(client, "VICTIME", PASSWORD).status_code == 429


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(client, agent):
    """Without a trusted proxy, the header is the client's word: changing it changes nothing."""
    for index in range(5):
        attempt(client, "agent", "faux", HTTP_X_FORWARDED_FOR=f"198.51.100.{index}")
    response = attempt(client, "agent", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_one_attacker_does_not_lock_out_every_agent(client, agent, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for index in range(20):
        attempt(client, f"inconnu{index}", "faux", **attacker)
    assert attempt(client, "agent", PASSWORD, **attacker).status_code == 429
    colleague = Client()
    response = attempt(colleague, "agent", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 302


def test_behind_a_trusted_proxy_the_attacker_cannot_choose_its_address(client, agent, settings):
    """The proxy appends the real peer: the addresses the client wrote before it are ignored."""
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    for index in range(5):
        forged = f"198.51.100.{index}, 203.0.113.5"
        attempt(client, "agent", "faux", HTTP_X_FORWARDED_FOR=forged)
    forged = "198.51.100.99, 203.0.113.5"
    assert attempt(client, "agent", PASSWORD, HTTP_X_FORWARDED_FOR=forged).status_code == 429


def _remove_committed_attempts():
    from axes.models import AccessAttempt

    try:
        AccessAttempt.objects.all().delete()
    finally:
        connections.close_all()
