"""WSGI entry point.

Each worker imports this module before it accepts requests (gunicorn without --preload) and
builds its in-memory indexes here, so the first visitor does not wait for them: about 1 s of
CPU per worker with national data, paid at start-up. `PORTAL_WARM_INDEXES = False` skips it.
A failure (database not migrated yet, unreachable) is logged and the worker starts anyway:
the first request then builds the indexes, or shows the real error.
"""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

logger = logging.getLogger(__name__)


def warm_indexes() -> bool:
    from django.conf import settings
    from django.db import connections

    from territoires.zonages import lookup

    if not getattr(settings, "PORTAL_WARM_INDEXES", True):
        return False
    try:
        lookup.warm()
    except Exception:
        logger.exception("Index des zones et localisateur non construits au démarrage.")
        return False
    finally:
        # With --preload this runs in the master: its connection must not be shared by forks.
        connections.close_all()
    return True


warm_indexes()
