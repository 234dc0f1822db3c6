"""The zone index built from plain rows, and warmed before a worker accepts requests."""

import datetime as dt

import pytest

from portal.lib.index import plain_rows
from territoires import locator
from territoires.models import Commune, ZoneCommune
from territoires.zonages import index as zones_index
from territoires.zonages.lookup import zones_at, zones_for_communes
from tests.factories import ActeFactory

pytestmark = pytest.mark.django_db

D2022 = dt.date(2022, 3, 31)


def test_the_index_answers_as_the_bulk_lookup_for_whole_partial_and_iris_links():
    act = ActeFactory(zones={"zip": ["93066", ("93048", "930480101")], "zac": ["75056"]})
    zone = act.zones.get(categorie__code="zac")
    ZoneCommune.objects.create(zone=zone, commune=Commune.objects.get(code="77379"), partiel=True)
    zones_index.reset_index()
    codes = ["93066", "93048", "75056", "75118", "77379", "91001"]
    bulk = zones_for_communes(codes, date=D2022)
    for code in codes:
        assert zones_at(code, date=D2022) == bulk[code], code
    assert [m.partiel for m in zones_at("93048", date=D2022)] == [True]
    assert [m.partiel for m in zones_at("77379", date=D2022)] == [True]


def test_plain_rows_streams_driver_tuples_and_nothing_for_an_empty_filter():
    codes = Commune.objects.filter(code__in=["93066", "77379"]).order_by("code")
    assert list(plain_rows(codes.values_list("code", "nom"), chunk_size=1)) == [
        ("77379", "Provins"),
        ("93066", "Saint-Denis"),
    ]
    assert list(plain_rows(Commune.objects.filter(pk__in=[]).values_list("code"))) == []


def test_a_worker_builds_both_indexes_before_its_first_request(django_assert_num_queries):
    import portal.wsgi

    ActeFactory(zones={"zip": ["93066"]})
    zones_index.reset_index()
    locator.invalidate()
    assert portal.wsgi.warm_indexes() is True
    assert locator.is_built()
    with django_assert_num_queries(0):
        assert [m.categorie for m in zones_at("93066", date=D2022)] == ["zip"]


def test_a_failed_warm_up_is_logged_and_the_worker_starts(monkeypatch, caplog, settings):
    import portal.wsgi

    def broken():
        raise RuntimeError("base indisponible")

    monkeypatch.setattr("territoires.zonages.lookup.get_index", broken)
    assert portal.wsgi.warm_indexes() is False
    assert "non construits au démarrage" in caplog.text
    settings.PORTAL_WARM_INDEXES = False
    assert portal.wsgi.warm_indexes() is False
