"""/sante: the operations probe (and the benchmark's ceiling)."""

import pytest

pytestmark = pytest.mark.django_db


def test_liveness_needs_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/sante")
    assert response.status_code == 200
    assert response.json() == {"statut": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_checks_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/sante", {"base": "1"})
    assert response.json() == {"statut": "ok"}


def test_readiness_reports_a_database_failure(client, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    def broken(self, *args, **kwargs):
        raise RuntimeError("base arrêtée")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", broken)
    response = client.get("/sante", {"base": "1"})
    assert response.status_code == 503
    assert response.json() == {"statut": "base de données indisponible"}
