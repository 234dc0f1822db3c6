"""The fault drill of a large import: `manage.py db_worker` killed (SIGKILL) in the middle of a
10,000-row structures import leaves no row; the job shows as interrupted; a rerun by a new
worker writes all 10,000 rows. Prints the rows per second of the completed import.

PostgreSQL only: the worker is another process on the test database, which pytest's SQLite
test database (in this process's memory) cannot be; CI's PostgreSQL run executes it. The job
is committed on a connection of its own (as the admin's request would) and removed at the end.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.urls import reverse

from portal.lib import background_import
from portal.lib.background_import import StatutImport
from portal.models import ImportEnTache
from structures.models import Structure
from tests.factories import AgentFactory
from tests.portal.test_login_restart import _database_url_for_another_process, _in_own_connection

from .test_import import csv_bytes

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ROWS = 10_000
QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _rows():
    from tests.factories import interior_point

    lat, lon = interior_point("93008")
    return [
        [f"T-KILL-{i}", "msp", f"MSP n° {i}", "93008", lat, lon, "1000", "", "", ""]
        for i in range(ROWS)
    ]


def _worker(url, cache_dir, log):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DATABASE_URL=url,
        CACHE_URL=f"file://{cache_dir}",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait(condition, timeout, what):
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"délai dépassé : {what}")


def _fresh(job_id):
    return ImportEnTache.objects.get(pk=job_id)


def _written():
    return Structure.objects.filter(reference__startswith="T-KILL-").count()


def _remove_committed(username):
    from django_tasks_db.models import DBTaskResult

    # Raw deletes: 10,000 deletions one by one (signals, history) would take longer than the drill.
    structures = Structure.objects.filter(reference__startswith="T-KILL-")
    history = Structure.history.filter(reference__startswith="T-KILL-")
    for model, rows in ((Structure, structures), (Structure.history.model, history)):
        for related in model._meta.related_objects:
            found = related.related_model.objects.filter(**{f"{related.field.name}__in": rows})
            found._raw_delete(found.db)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through.objects.filter(
                **{f"{field.m2m_field_name()}__in": rows}
            )
            through._raw_delete(through.db)
        rows._raw_delete(rows.db)
    ImportEnTache.objects.filter(agent__username=username).delete()
    entries = LogEntry.objects.filter(user__username=username)
    entries._raw_delete(entries.db)
    DBTaskResult.objects.filter(task_path="portal.lib.background_import.importer_fichier").delete()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()  # the agent's, made by this test on its own connection
    get_user_model().objects.filter(username=username).delete()


def test_a_killed_worker_leaves_no_row_and_a_rerun_completes(client, settings, tmp_path, capsys):
    if connection.vendor != "postgresql":
        pytest.skip("exercice sur PostgreSQL (voir la docstring du module)")
    settings.TASKS = QUEUE
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    settings.IMPORT_HEARTBEAT_STALE_SECONDS = 3
    username = "agent-import-tue"
    content = csv_bytes(_rows())

    def start_job():
        agent = AgentFactory(username=username, group="Agent départemental", departements=["93"])
        return background_import.create_job(
            user=agent, model=Structure, file_name="10000-structures.csv", parametres={"format": 0},
            content=content, rows=ROWS,
        ).pk  # fmt: skip

    workers = []
    log_path = tmp_path / "worker.log"
    try:
        with _database_url_for_another_process() as url, open(log_path, "w") as log:
            job_id = _in_own_connection(start_job)
            workers.append(_worker(url, tmp_path / "cache", log))
            beat = _wait(
                lambda: background_import.progress(_fresh(job_id))["faites"] >= 300,
                120,
                "le travailleur n'a pas commencé l'import",
            )
            assert beat
            os.kill(workers[0].pid, signal.SIGKILL)
            workers[0].wait(timeout=10)
            seen_at_kill = background_import.progress(_fresh(job_id))["faites"]

            assert _written() == 0  # the transaction died with the worker
            job = _fresh(job_id)
            assert job.statut == StatutImport.EN_ATTENTE  # its claim died with the rows
            # Login and pages on their own connection, like the worker: the test's transaction
            # must not lock the agent's row (last_login), which the cleanup deletes.
            _in_own_connection(lambda: client.force_login(job.agent))
            page_url = reverse("admin:portal_importentache_change", args=[job_id])
            _wait(lambda: background_import.progress(_fresh(job_id))["interrompu"], 10, "battement")
            page = _in_own_connection(lambda: client.get(page_url).content.decode())
            assert "Import interrompu" in page and "Relancer l'import" in page

            assert _in_own_connection(lambda: background_import.rerun(_fresh(job_id)))
            workers.append(_worker(url, tmp_path / "cache", log))
            _wait(
                lambda: _fresh(job_id).statut in (StatutImport.TERMINE, StatutImport.ECHOUE),
                240,
                "l'import relancé n'a pas fini",
            )
            job = _fresh(job_id)
            assert job.statut == StatutImport.TERMINE, (job.message, log_path.read_text())
            assert _written() == ROWS
            assert Structure.history.filter(
                reference="T-KILL-42", history_user__username=username
            ).exists()
            page = _in_own_connection(lambda: client.get(page_url).content.decode())
            assert f"{ROWS} / {ROWS} lignes" in page and "Import terminé : 10000 nouveau(x)" in page
            seconds = (job.fin - job.debut).total_seconds()
            with capsys.disabled():
                print(
                    f"\n[import en tâche] travailleur tué (SIGKILL) à {seen_at_kill} lignes : "
                    f"0 ligne écrite ; relancé : {ROWS} lignes en {seconds:.1f} s, "
                    f"{ROWS / seconds:.0f} lignes/s ({connection.vendor})"
                )
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
        _in_own_connection(lambda: _remove_committed(username))
