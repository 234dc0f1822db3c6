"""A locked-out account stays locked after a worker restart (tests/quality/test_login_throttle).

The lock is taken here, by attempts on their own database connection (committed, as a
gunicorn worker's are); a brand-new Python process, sharing nothing with this one but the
database, then tries the right password. pytest's SQLite test database lives in this
process's memory: it is copied to a file for the new process, as the database file of a
server outlives its workers. On PostgreSQL the new process connects to the test database.

The same check with axes' cache handler on the LocMem cache (a lock in process memory) is
expected to let the login through: that is what makes the first check worth something.

Outside tests/quality for the reason tests/portal/test_login_race.py gives.
"""

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection, connections
from django.test import Client

from tests.quality.test_login_throttle import PASSWORD, _remove_committed_attempts, attempt

ROOT = Path(__file__).resolve().parents[2]
USERNAME = "agent-redemarrage"
DATABASE_HANDLER = "portal.login_throttle.LoginThrottleHandler"
MEMORY_HANDLER = "axes.handlers.cache.AxesCacheHandler"

# The restarted worker: the same settings, the handler under test, the tests' password hasher.
RESTARTED_WORKER = """
import json, sys
import django

django.setup()
from django.conf import settings
from django.test import Client

settings.AXES_HANDLER = sys.argv[1]
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
data = {"username": sys.argv[2], "password": sys.argv[3], "next": "/admin/"}
locked = Client().post("/admin/login/", data)
other = Client().post("/admin/login/", {**data, "username": "quelqu-un-d-autre"})
print(json.dumps({
    "status": locked.status_code,
    "body": locked.content.decode(),
    "retry_after": locked.get("Retry-After"),
    "other_account": other.status_code,
}))
"""


def _in_own_connection(work):
    """Runs `work` in a thread, on a connection of its own (autocommit, like a worker)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as error:  # re-raised below, never swallowed
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _lock_out():
    get_user_model().objects.create_user(USERNAME, password=PASSWORD, is_staff=True)
    statuses = [attempt(Client(), USERNAME, "faux").status_code for _ in range(5)]
    return [*statuses, attempt(Client(), USERNAME, PASSWORD).status_code]


@contextlib.contextmanager
def _database_url_for_another_process():
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "portail.sqlite3"
            if connection.is_in_memory_db():

                def copy():
                    connections["default"].ensure_connection()
                    target = sqlite3.connect(path)
                    try:
                        connections["default"].connection.backup(target)
                    finally:
                        target.close()

                _in_own_connection(copy)
            else:
                path = Path(settings_dict["NAME"])
            yield f"sqlite:///{path}"
        return
    if connection.vendor != "postgresql":
        pytest.skip(f"base {connection.vendor} : pas d'adresse pour un autre processus")
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    yield f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def _restarted_worker(handler: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    with _database_url_for_another_process() as url:
        env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="portal.settings")
        result = subprocess.run(
            [sys.executable, "-c", RESTARTED_WORKER, handler, USERNAME, PASSWORD],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def handler(request, settings):
    """The axes handler of this test, in this process and in the restarted one."""
    settings.AXES_HANDLER = request.param
    AxesProxyHandler.get_implementation(force=True)
    yield request.param
    settings.AXES_HANDLER = DATABASE_HANDLER
    AxesProxyHandler.get_implementation(force=True)
    caches["default"].clear()  # the memory handler's counters
    _in_own_connection(_remove_committed_rows)


def _remove_committed_rows():
    _remove_committed_attempts()
    get_user_model().objects.filter(username=USERNAME).delete()
    Session.objects.all().delete()  # the restarted worker's login (PostgreSQL: committed)


@pytest.mark.django_db
@pytest.mark.parametrize("handler", [DATABASE_HANDLER], indirect=True)
def test_a_locked_out_account_stays_locked_after_a_worker_restart(handler):
    assert _in_own_connection(_lock_out) == [200] * 5 + [429]
    seen = _restarted_worker(handler)
    assert seen["status"] == 429
    assert "Trop de tentatives de connexion" in seen["body"]
    assert 0 < int(seen["retry_after"]) <= 15 * 60
    assert seen["other_account"] == 200  # the new process refuses this account, not everyone


@pytest.mark.django_db
@pytest.mark.parametrize("handler", [MEMORY_HANDLER], indirect=True)
def test_a_lock_kept_in_process_memory_would_not_hold(handler, settings):
    """The control: with the counters in a LocMem cache, the restarted worker lets it in."""
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert _in_own_connection(_lock_out)[-1] == 429  # (stock axes refuses the 5th already)
    assert _restarted_worker(handler)["status"] == 302
