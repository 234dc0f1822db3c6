"""A per-process value rebuilt from the database when the data it was built from changes.

For in-memory indexes that take seconds to build and then answer with no query (the
locator's contours, the zonings). Changes made in this process drop the value at once
(`drop`, wired to model signals by the owner); changes made by another process are noticed
by a cheap `version()` query (a count and a last modification date), asked at most once
every `settings.<recheck_setting>` seconds (None: never).

    index = RebuiltIndex(build, version, recheck_setting="MY_INDEX_RECHECK_SECONDS")
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
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction

T = TypeVar("T")


class RebuiltIndex(Generic[T]):
    def __init__(
        self,
        build: Callable[[], T],
        version: Callable[[], Hashable],
        *,
        recheck_setting: str,
        recheck_default: float | None = 30,
    ):
        self._build = build
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
        if entry is not None and self._due():
            if self._version() != entry[1]:
                self.drop()
                entry = None
            else:
                self._checked_at = time.monotonic()
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
            return value

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
