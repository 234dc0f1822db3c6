"""Within a request the data version is read once: every part of a page answers for the
version its first read saw, even when another app server moves it meanwhile; the request's
own writes are seen at once."""

import contextlib

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from portal.lib import dataversion
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def a_request():
    """What the handler signals around a request, without closing the test's connection
    (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
        try:
            yield
        finally:
            request_finished.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _another_server_bumps():
    """What another app server's committed bump leaves in the shared cache."""
    cache.set(dataversion.CACHE_KEY, "999.another", timeout=None)


def test_a_request_answers_for_one_version():
    with a_request():
        first = dataversion.current()
        _another_server_bumps()
        assert dataversion.current() == first
    with a_request():
        assert dataversion.current() == "999.another"  # the next request sees it


def test_a_request_that_writes_sees_its_write():
    with a_request():
        first = dataversion.current()
        AideFactory()
        assert dataversion.current() != first


def test_outside_requests_every_read_asks_the_cache():
    first = dataversion.current()
    _another_server_bumps()
    assert dataversion.current() == "999.another" != first
