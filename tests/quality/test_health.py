"""/sante: the operations probe (and the benchmark's ceiling); the database going away."""

import pytest
from django.db import connections
from django.test import Client


@pytest.mark.django_db
def test_liveness_needs_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/sante")
    assert response.status_code == 200
    assert response.json() == {"statut": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_checks_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/sante", {"base": "1"})
    assert response.json() == {"statut": "ok"}


@pytest.mark.django_db
def test_readiness_reports_a_database_failure(client, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    def broken(self, *args, **kwargs):
        raise RuntimeError("base arrêtée")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", broken)
    response = client.get("/sante", {"base": "1"})
    assert response.status_code == 503
    assert response.json() == {"statut": "base de données indisponible"}


# --- The database unreachable (a stopped server, a closed port) -------------------------------


@pytest.fixture
def database_down(django_db_blocker):
    """The default connection points where nothing answers: a closed port for PostgreSQL, a
    file that cannot be opened for SQLite. A separate connection object, so the test
    database's own connection and its state are untouched."""
    real = connections["default"]
    settings_dict = dict(real.settings_dict)
    if real.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent/portail/base.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT="1")
    broken = real.__class__(settings_dict, alias="default")
    with django_db_blocker.unblock():
        connections["default"] = broken
        try:
            yield
        finally:
            broken.close()
            connections["default"] = real


def test_pages_say_the_service_is_temporarily_unavailable(database_down):
    response = Client(raise_request_exception=False).get("/aides/", {"commune": "93066"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Service momentanément indisponible" in body
    assert "Erreur 503" in body
    assert response["Content-Type"].startswith("text/html")


def test_a_session_cookie_read_by_the_middleware_is_covered_too(database_down):
    """The session is loaded (a query) by the authentication middleware's lazy user and saved
    by the session middleware: the failure happens outside any view."""
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "une-session-quelconque"
    response = client.get("/admin/")
    assert response.status_code == 503
    assert "Service momentanément indisponible" in response.content.decode()


def test_the_api_answers_json(database_down):
    response = Client(raise_request_exception=False).get("/api/v1/territoires/regions")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("application/json")
    assert "indisponible" in response.json()["erreur"]


def test_liveness_keeps_its_meaning_and_readiness_reports_the_database(database_down):
    client = Client(raise_request_exception=False)
    alive = client.get("/sante")
    assert alive.status_code == 200
    assert alive.json() == {"statut": "ok"}
    ready = client.get("/sante", {"base": "1"})
    assert ready.status_code == 503
    assert ready.json() == {"statut": "base de données indisponible"}
    assert ready["Retry-After"] == "30"
