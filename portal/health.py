"""`/sante` probes, and the answer given when the database does not answer.

`/sante`: liveness probe for operations and the benchmark's ceiling (no database, no
template). `/sante?base=1` also checks that the database answers (readiness).

DatabaseUnavailableMiddleware turns a database that cannot be reached into a 503 with
`Retry-After` (a French page, JSON under /api/) instead of the 500 page: the failure is the
infrastructure's, temporary, and clients and proxies may retry.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connection
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from portal.lib.responses import error, json_response

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"
UNAVAILABLE_MESSAGE = (
    "Service momentanément indisponible : la base de données ne répond pas. "
    "Réessayez dans quelques instants."
)

try:  # raised as such when a psycopg call escapes Django's wrapper
    import psycopg

    _DRIVER_ERRORS: tuple[type[BaseException], ...] = (
        psycopg.OperationalError,
        psycopg.InterfaceError,
    )
except ImportError:  # pragma: no cover - SQLite-only installs
    _DRIVER_ERRORS = ()

UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, *_DRIVER_ERRORS)


def _retry_later(response):
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@never_cache
def sante(request):
    if request.GET.get("base") == "1":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # the probe reports the failure instead of raising it
            return _retry_later(
                json_response({"statut": "base de données indisponible"}, status=503)
            )
    return json_response({"statut": "ok"})


def unavailable_response(request):
    """503 for a database that does not answer; built without the database or the session."""
    if request.path.startswith(API_PREFIX):
        response = error(UNAVAILABLE_MESSAGE, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Cache-Control"] = "no-store"
    return _retry_later(response)


def is_database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, UNAVAILABLE_ERRORS)


class DatabaseUnavailableMiddleware:
    """Placed before the session and authentication middleware, so it also covers them.

    A view's failure reaches `process_exception`. A failure inside an inner middleware (the
    session loaded by the lazy user, saved on the way out) is turned into the 500 page by
    Django before it comes back here; `got_request_exception` marks the request then, and
    `__call__` replaces that 500 with the 503.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_portal_database_unavailable", False) and response.status_code == 500:
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            log.error("Base de données injoignable : %s", exception)
            return unavailable_response(request)
        return None


@receiver(got_request_exception, dispatch_uid="portal.health.database_unavailable")
def mark_database_unavailable(sender, request=None, **kwargs):
    """Sent inside the `except` that caught the error: sys.exc_info() is that error."""
    error = sys.exc_info()[1]
    if request is not None and is_database_unavailable(error):
        request._portal_database_unavailable = True
