"""Real zoning files (../shared/data/zonages, `settings.ZONAGES_DATA_DIR`) loaded once per
test module, inside a transaction rolled back when the module ends.

Importing the real exports for two régions takes seconds: doing it per test would make the
suite slow, and loading them for the whole session would change what every other test sees.
Tests of a module using `loaded(...)` nest their own transactions inside this one.
The folder is required: without it these tests fail and say where they looked.
"""

from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction


def zonages_dir() -> Path:
    folder = Path(settings.ZONAGES_DATA_DIR)
    if not folder.is_dir():
        raise AssertionError(
            f"Dossier des zonages réels absent : {folder} (réglez PORTAL_ZONAGES_DATA_DIR)."
        )
    return folder


def _reset_indexes():
    from territoires.zonages import index as zones_index

    zones_index.reset_index()


@contextmanager
def loaded(django_db_blocker, load):
    """Run `load()` in an outer transaction, yield, then roll everything back."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load()
            _reset_indexes()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            _reset_indexes()
