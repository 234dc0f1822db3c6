"""Fixtures of the public maps, bilan and open data: the demonstration dataset, once.

The demo steps of `setup_demo` (zonings, QPV, aids, structures) run once for this package
inside a transaction rolled back at the end, so other packages never see these rows; each
test runs in a savepoint of it and rolls its own changes back.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

# Already run by the session fixture of tests/conftest.py.
SKIPPED_STEPS = {"migrate", "import_cog", "import_contours_local"}


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    from portal.management.commands.setup_demo import STEPS

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        for name, kwargs in STEPS:
            if name not in SKIPPED_STEPS:
                call_command(name, **kwargs, stdout=io.StringIO(), stderr=io.StringIO())
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def demo_db(demo, db):
    """The demonstration dataset in a test database savepoint."""
    return demo


@pytest.fixture
def no_network_tiles(settings):
    """Maps without any tile layer: the page must stand on its own."""
    settings.MAP_TILES = "none"


@pytest.fixture
def more_structures():
    """Adds `count` published structures next to an existing one of the département."""
    from structures.models import Structure

    def add(departement: str, count: int) -> None:
        model = Structure.objects.published().filter(departement__code=departement).first()
        for i in range(count):
            Structure.objects.create(
                nom=f"Structure supplémentaire {i}", type=model.type, commune=model.commune,
                region=model.region, latitude=model.latitude, longitude=model.longitude,
                publication="publiee",
            )  # fmt: skip

    return add
