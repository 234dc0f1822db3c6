"""Database outage drill (issue 14): an app server (gunicorn, deploy/gunicorn.conf.py) and the
worker (`manage.py db_worker`) reach PostgreSQL through a TCP relay that the test cuts in the
middle of a 3,000-row structures import started through the admin, then restores.

- during the cut, public pages and the admin answer the French 503 with Retry-After
  (portal.health) and the worker waits (portal's db_worker);
- once the database is back, pages answer again by themselves, the worker puts the cut task
  back in the queue and the import completes: 3,000 rows, each written once (one history
  record each), the job done on its second attempt, the task recorded successful once.

PostgreSQL only: a SQLite database is a file, there is no connection to cut. CI's PostgreSQL
run executes it; the instances use a database of their own, built here.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import socket
import subprocess
import sys
import threading
import time

import pytest

from bench.load import stop
from tests.quality.processes import (
    PASSWORD,
    Browser,
    first_change_seen,
    manage,
    new_database,
    on_postgresql,
)
from tests.quality.test_deploy import (
    GUNICORN_CONF,
    ROOT,
    free_port,
    production_env,
    start_gunicorn,
)
from tests.structures.test_import import HEADERS

pytestmark = pytest.mark.skipif(
    not on_postgresql(), reason="coupure d'une connexion PostgreSQL (voir la docstring)"
)
ROWS = 3_000
PREFIX = "T-COUPURE-"

SETUP = f"""
from django.contrib.auth import get_user_model
get_user_model().objects.create_superuser("agent-c", "agent-c@example.test", {PASSWORD!r})
"""
CHECK = f"""
import json
from django.db.models import Count
from django_tasks_db.models import DBTaskResult
from portal.models import ImportEnTache
from structures.models import Structure
job = ImportEnTache.objects.get()
history = (Structure.history.filter(reference__startswith={PREFIX!r})
           .values("reference").annotate(n=Count("history_id")))
print(json.dumps({{
    "rows": Structure.objects.filter(reference__startswith={PREFIX!r}).count(),
    "most_history": max((h["n"] for h in history), default=0),
    "statut": job.statut, "message": job.message,
    "seconds": (job.fin - job.debut).total_seconds() if job.fin else None,
    "tasks": [(t.status, len(t.worker_ids)) for t in DBTaskResult.objects.all()],
}}))
"""


class Relay:
    """127.0.0.1:`port` → the database server; `cut()` drops every connection and refuses
    new ones (accepted, then closed: as a server that went away) until `restore()`."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self):
        self.up = False
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()


def _csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for i in range(ROWS):
        writer.writerow([f"{PREFIX}{i}", "msp", f"MSP coupure n° {i}", "93066", "", "", "1000"]
                        + [""] * (len(HEADERS) - 7))  # fmt: skip
    return out.getvalue().encode()


def _done_rows(page: str) -> int:
    found = re.search(r"(\d+) / \d+ lignes", page)
    return int(found.group(1)) if found else 0


def test_web_and_worker_come_back_by_themselves_and_the_import_is_written_once(tmp_path, capsys):
    url, drop = new_database(tmp_path, "coupure")
    direct = production_env(tmp_path, DATABASE_URL=url)
    relay = Relay(*_server_of(url))
    relayed = production_env(
        tmp_path,
        DATABASE_URL=re.sub(r"@[^/]+/", f"@127.0.0.1:{relay.port}/", url, count=1),
        DJANGO_SECRET_KEY=direct["DJANGO_SECRET_KEY"],
        DJANGO_ALLOWED_HOSTS="portail.example.fr,127.0.0.1",
        CACHE_URL=f"file://{tmp_path / 'cache'}",
        GUNICORN_WORKERS="1",
    )
    processes = []
    try:
        manage(direct, "migrate", "--noinput", "-v0")
        manage(direct, "import_cog", "--regions", "11", "-v0")
        manage(direct, "collectstatic", "--noinput", "-v0")
        manage(direct, "shell", "-c", SETUP)
        port = free_port()
        processes.append(
            start_gunicorn(tmp_path, port, ["--config", str(GUNICORN_CONF)], env=relayed)
        )
        worker_log = (tmp_path / "worker.log").open("w")
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--no-reload",
                    "--no-startup-delay",
                    "--interval",
                    "0.2",
                ],
                cwd=ROOT,
                env=relayed,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        agent = Browser(port)
        assert agent.log_in("agent-c")[0] == 302
        status, headers, page = agent.submit(
            "/admin/structures/structure/import/", "multipart",
            {"format": "0", "resource": "0"}, files={"import_file": ("coupure.csv", _csv())},
        )  # fmt: skip
        assert status == 302, page[-2000:]
        job_page = headers["Location"]
        assert "/admin/portal/importentache/" in job_page
        first_change_seen(lambda: _done_rows(agent.get(job_page)[2]) >= 200, 120)

        relay.cut()
        cut_at = time.monotonic()
        public = Browser(port)
        during = [public.get("/api/v1/structures?departement=93") for _ in range(3)]
        assert all(status == 503 for status, _, _ in during), [s for s, _, _ in during]
        assert all(int(h["Retry-After"]) > 0 for _, h, _ in during)
        status, _, page = public.get("/carte/")
        assert status == 503 and "indisponible" in page
        assert agent.get(job_page)[0] == 503
        time.sleep(3)

        relay.restore()
        back = first_change_seen(
            lambda: public.get("/api/v1/structures?departement=93")[0] == 200, 30
        )
        first_change_seen(lambda: "Import terminé" in agent.get(job_page)[2], 240)
        outage = time.monotonic() - cut_at
        result = json.loads(manage(direct, "shell", "-c", CHECK).strip().splitlines()[-1])
        assert result["rows"] == ROWS
        assert result["most_history"] == 1  # each row written once
        assert result["statut"] == "termine", result
        # One task, taken twice (cut, put back in the queue), then successful.
        assert result["tasks"] == [["SUCCESSFUL", 2]], result
        log = (tmp_path / "worker.log").read_text()
        # Put back whether the cut reached the worker's loop (« Base de données
        # injoignable », then a retry) or only the task, whose failure was recorded once the
        # connection came back.
        assert "remise dans la file après la coupure" in log, log
        with capsys.disabled():
            print(
                f"\n[coupure de la base] {ROWS} lignes en cours d'import ; pendant la coupure : "
                f"503 (Retry-After) ; pages revenues {back:.1f} s après le retour de la base ; "
                f"import repris et terminé ({result['rows']} lignes, "
                f"une version d'historique chacune, tâche prise 2 fois, "
                f"{outage:.0f} s après la coupure)"
            )
    finally:
        for process in processes:
            stop(process)
        relay.close()
        drop()


def _server_of(url: str) -> tuple[str, int]:
    host_port = re.search(r"@([^/]+)/", url).group(1)
    host, _, port = host_port.partition(":")
    return host or "127.0.0.1", int(port or 5432)
