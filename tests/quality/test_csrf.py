"""CSRF protection everywhere: no view opts out, and a POST without token is refused."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# RFC 8058 one-click unsubscribe: mail clients POST "List-Unsubscribe=One-Click" without a
# token. These views use no session nor cookie: the signed link is their only authority
# (tests/aides/alertes: an altered link changes nothing).
ONE_CLICK = {"alertes/desabonner/<str:signed>/", "alertes/supprimer/<str:signed>/"}


def all_callbacks(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from all_callbacks(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_view_is_exempt_from_csrf():
    exempt = [
        route
        for route, view in all_callbacks(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False) and route not in ONE_CLICK
    ]
    assert exempt == []


def test_admin_login_without_token_is_refused(django_user_model):
    django_user_model.objects.create_user("agent", password="mot-de-passe-solide", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/admin/login/", {"username": "agent", "password": "mot-de-passe-solide"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_admin_forms_without_token_are_refused(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/admin/auth/user/add/", {"username": "intrus", "password1": "x"})
    assert response.status_code == 403
    assert not type(admin_user).objects.filter(username="intrus").exists()


def test_every_public_page_refuses_a_post_without_token(pages):
    client = Client(enforce_csrf_checks=True)
    accepted = []
    for page in pages.values():
        if page.route in ONE_CLICK:
            continue
        response = client.post(page.fuzz_url, {"q": "x"})
        if response.status_code != 403:
            accepted.append(f"{page.fuzz_url} → {response.status_code}")
    assert accepted == []
