"""A per-process value rebuilt from the database when the data it was built from changes.

For in-memory indexes that take seconds to build and then answer with no query (the
locator's contours, the zonings). Changes made in this process drop the value at once
(`drop`, wired to model signals by the owner); changes made by another process are noticed
by a cheap `version()` query (a count and a last modification date), asked at most once
every `settings.<recheck_setting>` seconds (None: never).

An index given a `name` also follows the public data version (portal.lib.dataversion), which
every write moves and a shared cache publishes to every app server: an answer cached under a
new version must never come from an index of the old data. When the version moves, the index
compares its build's `version()` with the one stored in the cache under the new version, which
the writing process puts there as it publishes the version (so that, with a shared cache, no
reader pays a query), or asks the database when it is missing. The data version is read once
per request and thread (at most every TOKEN_MEMO_SECONDS outside requests), not per lookup.

    index = RebuiltIndex(build, version, recheck_setting="MY_INDEX_RECHECK_SECONDS",
                         name="my-index")
    index.get()         # the value, built on first use or after a change
    index.drop()        # forget it (a signal receiver: accepts and ignores any kwargs)

Builds read `plain_rows` (tuples as the driver returns them): model instances or row dicts
for every commune of France cost seconds and hundreds of megabytes per process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.signals import request_started
from django.db import connections, transaction

from portal.lib import dataversion

T = TypeVar("T")
TOKEN_MEMO_SECONDS = 0.25
STAMP_KEY = "portal:index:{}:{}"
_memo = threading.local()  # (data version, read at) of this thread's request


def forget_token(**kwargs) -> None:
    """This thread reads the data version again at its next lookup (each request starts so)."""
    _memo.entry = None


request_started.connect(forget_token, dispatch_uid="portal.lib.index.forget_token")


def _data_version() -> str:
    entry = getattr(_memo, "entry", None)
    now = time.monotonic()
    if entry is not None and now - entry[1] < TOKEN_MEMO_SECONDS:
        return entry[0]
    token = dataversion.current()
    _memo.entry = (token, now)
    return token


class RebuiltIndex(Generic[T]):
    def __init__(
        self,
        build: Callable[[], T],
        version: Callable[[], Hashable],
        *,
        recheck_setting: str,
        recheck_default: float | None = 30,
        name: str | None = None,
    ):
        self._build = build
        self._name = name
        self._seen_token: str | None = None
        if name is not None:
            dataversion.on_publish(self._publish_stamp)
        self._version = version
        self._recheck_setting = recheck_setting
        self._recheck_default = recheck_default
        self._lock = threading.Lock()
        self._entry: tuple[T, Hashable] | None = None  # (value, version it was built from)
        self._checked_at = 0.0
        self._generation = 0

    def get(self) -> T:
        """The value, rebuilt first if it was dropped or if the database moved on."""
        entry = self._entry
        token = _data_version() if self._name is not None else None
        if entry is not None and (token != self._seen_token or self._due()):
            moved = token != self._seen_token and not self._due()
            if (self._stamp(token) if moved else self._version()) != entry[1]:
                self.drop()
                entry = None
            else:
                self._checked_at = time.monotonic()
                self._seen_token = token
        if entry is not None:
            return entry[0]
        with self._lock:
            entry = self._entry
            if entry is not None:
                return entry[0]  # built by another thread while this one waited
            generation = self._generation
            version = self._version()  # read first: a change during the build is seen later
            value = self._build()
            if generation == self._generation:  # not dropped while it was being built
                self._entry = (value, version)
                self._checked_at = time.monotonic()
                self._seen_token = token
            return value

    def _stamp(self, token: str) -> Hashable:
        """`version()` as of the data version `token`: from the cache, else the database."""
        key = STAMP_KEY.format(self._name, token)
        stamp = cache.get(key)
        if stamp is None:
            stamp = self._version()
            cache.add(key, stamp, timeout=3600)
        return stamp

    def _publish_stamp(self, token: str) -> None:
        """Called by the writer as it publishes a new data version (dataversion.on_publish)."""
        cache.set(STAMP_KEY.format(self._name, token), self._version(), timeout=3600)

    def _due(self) -> bool:
        recheck = getattr(settings, self._recheck_setting, self._recheck_default)
        return recheck is not None and time.monotonic() - self._checked_at > recheck

    def drop(self, **kwargs) -> None:
        """Forget the value; the next `get` rebuilds it."""
        self._entry = None
        self._generation += 1

    def drop_on_commit(self) -> None:
        """For writes in a transaction: drop now (same transaction) and once committed."""
        self.drop()
        transaction.on_commit(self.drop)

    @property
    def built(self) -> bool:
        return self._entry is not None

    @property
    def generation(self) -> int:
        """Changes each time the value is dropped (tests drop it after a rolled-back change)."""
        return self._generation


def plain_rows(queryset, chunk_size: int = 20_000):
    """The rows of a `values_list` queryset as the database driver returns them, streamed
    (a server-side cursor on PostgreSQL), without Django's per-row converters: a third of the
    time when an index reads hundreds of thousands of rows. Only for integer, text and
    boolean columns (SQLite answers booleans as 0/1, dates as text)."""
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return
    connection = connections[queryset.db]
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):  # pgbouncer, as Django
        cursor = connection.cursor()
    else:
        cursor = connection.chunked_cursor()
    with cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows
