"""Parallel login attempts cannot pass the throttle's limit (tests/quality/test_login_throttle).

Outside tests/quality on purpose: that package holds its demonstration data in one open
transaction, and on SQLite an open transaction locks out the other threads' connections.
"""

import threading

from django.db import connection, connections
from django.test import Client

from tests.quality.test_login_throttle import _remove_committed_attempts, attempt


def test_parallel_attempts_do_not_pass_the_limit(django_user_model):
    """20 wrong attempts at once for one account: at most 5 reach the password check.

    Each thread has its own database connection (as gunicorn workers do), so the lock
    rows are committed outside the test's transaction and removed at the end.
    """
    username = "agent-en-parallele"
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def one_attempt():
        try:
            own = Client()
            barrier.wait(timeout=30)
            statuses.append(attempt(own, username, "faux").status_code)
        except BaseException as error:  # reported below, never swallowed
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_attempt) for _ in range(20)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        cleaner = threading.Thread(target=_remove_committed_attempts)
        cleaner.start()
        cleaner.join()
    assert errors == []
    assert len(statuses) == 20
    assert sorted(set(statuses)) == [200, 429], statuses
    assert statuses.count(200) == 5, statuses
    if connection.vendor == "sqlite":
        # SQLite has one writer at a time: the attempts were serialised by the database.
        assert statuses.count(429) == 15
