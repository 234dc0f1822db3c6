"""The public data version: a counter and a date that never go back, shared by every app server.

The row's model is named by settings.PORTAL_DATA_VERSION_MODEL (portal.DataVersion); which
changes bump it is wired by the project (portal.dataversion). Writes that bypass signals
(`bulk_update`, `QuerySet.update`) call `bump()` themselves, in their transaction.

`current()` is what caches key on: read from Django's default cache (shared in production,
so every app server agrees at once), else from the database. Since the database row is the
truth and a bump replaces the cached token once committed, a cached answer is never reused
after a change, whatever its timeout. A per-process cache (no CACHE_URL) keeps the token for
PORTAL_DATA_VERSION_RECHECK_SECONDS only: another process's bump reaches it that late.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from portal.lib.opendata import data_version_model

CACHE_KEY = "portal:dataversion"
_deferred: contextvars.ContextVar[list | None] = contextvars.ContextVar("deferred", default=None)


@contextlib.contextmanager
def deferred():
    """Within, bumps are only noted; one bump happens on leaving (if any was asked for).

    For a long transaction (a background import of 10,000 rows): the version row is locked
    from its first UPDATE to the commit, which would hold every other writer of public data
    for the whole import. Use it inside the transaction, so the bump still commits with it.
    """
    asked = []
    token = _deferred.set(asked)
    try:
        yield
    finally:
        _deferred.reset(token)
    if asked:
        bump()


def bump() -> None:
    """Move the version forward (one UPDATE; the row is created if it is missing).

    Every change moves it, even within one transaction (a token read between two changes
    must not name the final state); the publication after commit is registered once per
    transaction, not once per saved row of an import (Django drops the callbacks of a
    rolled-back savepoint, so a bump there registers it again).
    """
    asked = _deferred.get()
    if asked is not None:
        asked.append(True)
        return
    model = data_version_model()
    now = timezone.now()
    updated = model.objects.filter(pk=1).update(
        version=F("version") + 1, modifie_le=Greatest(F("modifie_le"), Value(now))
    )
    if not updated:
        model.objects.get_or_create(pk=1, defaults={"version": 1, "modifie_le": now})
    # Now for this transaction's own reads, and again once committed for everyone (a reader
    # that saw the old row in between may have cached the old token: `set` replaces it).
    cache.delete(CACHE_KEY)
    _request.token = None
    if not _pending():
        transaction.on_commit(_publish)


def _pending() -> bool:
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        callback is _publish for _, callback, _ in connection.run_on_commit
    )


def _read() -> str:
    row = data_version_model().objects.filter(pk=1).values_list("version", "modifie_le").first()
    if row is None:
        return "0"
    version, modified = row
    # The date makes the token unique even where a rolled-back bump's number comes again.
    return f"{version}.{int(modified.timestamp() * 1_000_000):x}"


_publish_hooks: list = []


def on_publish(hook) -> None:
    """`hook(token)` runs in the writing process each time it publishes a new version (after
    the commit), e.g. to put in the cache what readers would otherwise ask the database."""
    _publish_hooks.append(hook)


def _publish() -> None:
    _request.token = None
    token = _read()
    cache.set(CACHE_KEY, token, timeout=_recheck())
    for hook in _publish_hooks:
        hook(token)


def _recheck() -> float | None:
    """How long a process may keep the token: forever in a shared cache (every bump replaces
    it there), a moment in a per-process one (another process's bump is not seen otherwise)."""
    return getattr(settings, "PORTAL_DATA_VERSION_RECHECK_SECONDS", None)


def current() -> str:
    """The version token of the public data (structures, aids, zonings, territories).

    Cache keys and ETags include it. One cache read; one small query when the cache lost it.
    Within a request, read once: every part of a page answers for the same version (and a
    page asked it half a dozen times), unless the request itself bumps it.
    """
    token = getattr(_request, "token", None)
    if token is not None:
        return token
    token = cache.get(CACHE_KEY)
    if token is None:
        token = _read()
        cache.add(CACHE_KEY, token, timeout=_recheck())  # never over a token a bump published
    if getattr(_request, "active", False):
        _request.token = token
    return token


_request = threading.local()  # `active` between request_started and request_finished


def _request_started(**kwargs) -> None:
    _request.active, _request.token = True, None


def _request_finished(**kwargs) -> None:
    _request.active, _request.token = False, None


request_started.connect(_request_started, dispatch_uid="portal.lib.dataversion.started")
request_finished.connect(_request_finished, dispatch_uid="portal.lib.dataversion.finished")
