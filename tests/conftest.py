import io
import socket

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real reference data once: COG of régions 11 and 44, and the official contours.

    Every test then sees real communes (Saint-Denis 93066, Provins 77379, Paris and its
    arrondissements…) and rolls its own changes back. Tests must not use
    `transaction=True` (the flush at teardown would empty these tables for the next tests).
    """
    with django_db_blocker.unblock():
        call_command("import_cog", regions=["11", "44"], stdout=io.StringIO())
        # Reads settings.GEO_DATA_DIR; says so and loads nothing when the folder is absent.
        call_command("import_contours_local", stdout=io.StringIO())


def _uses_database(request) -> bool:
    names = set(request.fixturenames)
    return bool(names & {"db", "transactional_db", "live_server"}) or bool(
        request.node.get_closest_marker("django_db")
    )


@pytest.fixture(autouse=True)
def _locator_on_reference_data(request, django_db_blocker, settings):
    """The locator's index (≈ 1 s to build) is built once and kept across tests.

    A test that changes contours drops it (signals); it is dropped again after that test and
    rebuilt before the next one, on the rolled-back data. No periodic re-check during tests,
    so query counts stay the same whatever the order.
    """
    from territoires import locator

    settings.LOCATOR_RECHECK_SECONDS = None
    if not _uses_database(request):  # pure tests (bench lists…): no database to read
        yield
        return
    request.getfixturevalue("django_db_setup")
    if not locator.is_built():
        with django_db_blocker.unblock():
            locator.warm()
    before = locator.generation()
    yield
    if locator.generation() != before:
        locator.invalidate()


@pytest.fixture(autouse=True)
def _fast_and_offline(settings, monkeypatch):
    """Tests never reach the network (the geocoder is replayed from recorded answers)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def guard(*args, **kwargs):
        raise RuntimeError("Accès réseau interdit pendant les tests.")

    real_connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in {"127.0.0.1", "localhost", "::1"}
            and "/" not in host
        ):
            guard()
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(autouse=True)
def _fresh_zone_index(settings):
    """The zone index is per process and kept across tests; a test that changed zonings
    (signals drop the index) drops it again afterwards, so its rolled-back zones do not stay."""
    from territoires.zonages import index as zones_index

    settings.ZONAGES_INDEX_RECHECK_SECONDS = None
    before = zones_index.generation()
    yield
    if zones_index.generation() != before:
        zones_index.reset_index()


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """Each test starts with an empty cache: its rolled-back data must not answer the next.
    The version token is kept for the whole test (query counts do not depend on timing), and
    the indexes' memo of it (a quarter of a second, per thread) is not the previous test's."""
    from django.core.cache import cache

    from aides.listing import forget_items
    from aides.search import forget_candidates
    from portal.lib import fieldcache, frames, index, maps
    from structures import maps as structures_maps
    from territoires.models import forget_refs

    settings.PORTAL_DATA_VERSION_RECHECK_SECONDS = None
    cache.clear()
    index.forget_token()
    fieldcache.forget()  # per process, by data version, as the candidates
    maps.forget_rendered()
    frames.forget()
    forget_items()
    forget_candidates()  # per process, by data version: a rollback can bring one back
    forget_refs()
    structures_maps.forget()


@pytest.fixture
def views_run(settings):
    """Without the public page cache (portal.lib.pagecache): every request runs its view, so a
    query count is the view's own work (the page cache's hits have their own tests)."""
    settings.PORTAL_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def version_known(db):
    """The data version token already in the cache, as on a running server (a shared cache
    holds it; a per-process one re-reads it every few seconds): a page's query count is then
    its own work, not the page cache's first read of the token."""
    from portal.lib.dataversion import current

    current()
