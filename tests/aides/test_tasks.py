"""The aids' daily tasks: link check against a local HTTP server, archiving, follow-up page."""

import contextlib
import datetime as dt
import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import DatabaseError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from aides import tasks
from aides.models import Aide, LienVerifie
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class Handler(BaseHTTPRequestHandler):
    hits: dict[str, int]
    retire: bool

    def do_GET(self):
        self.server.hits[self.path] = self.server.hits.get(self.path, 0) + 1
        if self.path == "/ok":
            return self._answer(200)
        if self.path == "/deplacee":
            return self._answer(301, location="/ok")
        if self.path == "/absente":
            return self._answer(404)
        if self.path == "/panne":
            return self._answer(500)
        if self.path == "/lente":
            time.sleep(1.5)
            return self._answer(200)
        if self.path == "/instable":  # fails once, then answers: a transient failure
            return self._answer(503 if self.server.hits[self.path] == 1 else 200)
        if self.path == "/retiree":
            return self._answer(410 if self.server.retire else 200)
        return self._answer(404)

    def _answer(self, code, location=None):
        self.send_response(code)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "2")
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (timeout)
            self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.hits, server.retire = {}, False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def immediate(settings):
    settings.TASKS = IMMEDIATE
    settings.LINK_CHECK_TIMEOUT = 0.5
    settings.LINK_CHECK_TRIES = 2
    settings.LINK_CHECK_RETRY_DELAY = 0
    settings.LINK_CHECK_PRIVATE_HOSTS = True  # the test site is on 127.0.0.1


def _lien(url):
    return LienVerifie.objects.get(url=url)


def test_link_check_records_each_outcome_and_never_unpublishes(site):
    base = site.base
    AideFactory(slug="a", url_officielle=f"{base}/ok",
                demarches=f"Dossier sur {base}/deplacee. Formulaire : {base}/absente.")  # fmt: skip
    AideFactory(slug="b", url_officielle=f"{base}/panne", demarches=f"Voir {base}/lente")
    AideFactory(slug="brouillon", statut="brouillon", url_officielle=f"{base}/autre")

    result = tasks.verifier_liens.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL
    ok, moved = _lien(f"{base}/ok"), _lien(f"{base}/deplacee")
    assert (ok.statut, ok.code_http, ok.dernier_succes_le) == ("ok", 200, ok.verifie_le)
    assert (moved.statut, moved.url_finale) == ("redirige", f"{base}/ok")
    assert "déplacée" in moved.message
    absent = _lien(f"{base}/absente")
    assert (absent.statut, absent.code_http, absent.dernier_succes_le) == ("4xx", 404, None)
    assert "erreur 404" in absent.message
    assert _lien(f"{base}/panne").statut == "5xx"
    slow = _lien(f"{base}/lente")
    assert slow.statut == "injoignable"
    assert "n'a pas répondu en 0.5 secondes" in slow.message
    assert f"{base}/autre" not in LienVerifie.objects.values_list("url", flat=True)
    assert site.hits.get("/absente") == 1  # a 404 is final, not retried
    assert set(Aide.objects.values_list("statut", flat=True)) == {"publiee", "brouillon"}


def test_links_to_the_internal_network_are_not_fetched(site, settings):
    settings.LINK_CHECK_PRIVATE_HOSTS = False
    AideFactory(url_officielle=f"{site.base}/ok")
    tasks.verifier_liens.enqueue()
    lien = _lien(f"{site.base}/ok")
    assert lien.statut == "injoignable"
    assert "réseau privé" in lien.message
    assert site.hits == {}


def test_a_transient_failure_is_retried(site):
    AideFactory(url_officielle=f"{site.base}/instable")
    tasks.verifier_liens.enqueue()
    assert _lien(f"{site.base}/instable").statut == "ok"
    assert site.hits["/instable"] == 2


def test_a_second_run_adds_nothing_and_keeps_the_date_of_the_last_success(site):
    aide = AideFactory(url_officielle=f"{site.base}/retiree", demarches=f"{site.base}/ok")
    tasks.verifier_liens.enqueue()
    first_success = _lien(f"{site.base}/retiree").dernier_succes_le
    site.retire = True
    tasks.verifier_liens.enqueue()
    lien = _lien(f"{site.base}/retiree")
    assert LienVerifie.objects.count() == 2
    assert (lien.statut, lien.dernier_succes_le) == ("4xx", first_success)
    assert lien.verifie_le > first_success

    aide.demarches = ""  # a link removed from the aid is no longer listed
    aide.save()
    tasks.verifier_liens.enqueue()
    assert list(LienVerifie.objects.values_list("url", flat=True)) == [f"{site.base}/retiree"]


def test_a_database_failure_is_retried_then_reported_in_french(site, monkeypatch, caplog):
    AideFactory(url_officielle=f"{site.base}/ok")
    real, calls = tasks._enregistrer, []

    def flaky(verdicts):
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseError("connexion perdue")
        return real(verdicts)

    monkeypatch.setattr(tasks, "_enregistrer", flaky)
    assert tasks.verifier_liens.enqueue().status == TaskResultStatus.SUCCESSFUL
    assert LienVerifie.objects.get().statut == "ok"

    def down(verdicts):
        raise DatabaseError("connexion perdue")

    monkeypatch.setattr(tasks, "_enregistrer", down)
    result = tasks.verifier_liens.enqueue()
    assert result.status == TaskResultStatus.FAILED
    message = "La vérification des liens a échoué après 3 essais : base de données indisponible."
    assert message in result.errors[0].traceback
    assert message in caplog.text


def test_daily_pass_archives_closed_aids_once_and_counts_stale_verifications():
    today = timezone.localdate()
    closed = AideFactory(slug="close", date_cloture=today - dt.timedelta(days=1))
    AideFactory(slug="ouverte", date_cloture=today)
    AideFactory(slug="brouillon", statut="brouillon", date_cloture=today - dt.timedelta(days=9))
    AideFactory(slug="ancienne", verifie_le=today - dt.timedelta(days=400))

    result = tasks.archiver_aides_closes.enqueue()

    assert result.return_value == {"archivees": 1, "a_reverifier": 1}
    statuts = dict(Aide.objects.values_list("slug", "statut"))
    assert statuts == {"close": "archivee", "ouverte": "publiee", "brouillon": "brouillon",
                       "ancienne": "publiee"}  # fmt: skip
    assert closed.history.first().history_change_reason.startswith("Archivée automatiquement")
    history = closed.history.count()
    assert tasks.archiver_aides_closes.enqueue().return_value["archivees"] == 0
    assert closed.history.count() == history


@pytest.fixture
def agent(client):
    user = get_user_model().objects.create_user("agent", "agent@example.test", "x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_aide"))
    client.force_login(user)
    return user


def test_follow_up_page_lists_broken_links_with_last_success_and_stale_aids(
    client, agent, site, django_assert_num_queries
):
    today = timezone.localdate()
    AideFactory(nom="Aide <b>au lien cassé</b>", url_officielle=f"{site.base}/absente")
    for n in range(3):
        AideFactory(nom=f"Aide ancienne {n}", verifie_le=today - dt.timedelta(days=400 + n),
                    url_officielle=f"{site.base}/ok")  # fmt: skip
    tasks.verifier_liens.enqueue()

    assert "admin/aides/aide/suivi/" in client.get("/admin/").content.decode()
    with django_assert_num_queries(9):
        response = client.get("/admin/aides/aide/suivi/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 lien en erreur" in page
    assert "Aide &lt;b&gt;au lien cassé&lt;/b&gt;" in page
    assert f"{site.base}/absente" in page and "erreur 404" in page
    assert "jamais" in page  # never succeeded
    assert f"{site.base}/ok" not in page  # working links are not listed
    assert "3 aides publiées dont les informations ont été vérifiées il y a plus d'un an" in page
    assert page.index("Aide ancienne 2") < page.index("Aide ancienne 0")  # oldest first


def test_follow_up_page_is_for_agents_who_may_see_aids(client):
    assert client.get("/admin/aides/aide/suivi/").status_code == 302  # to the login
    get_user_model().objects.create_user("autre", "a@example.test", "x", is_staff=True)
    client.login(username="autre", password="x")
    assert client.get("/admin/aides/aide/suivi/").status_code == 403


def test_scheduled_tasks_go_through_the_database_queue_and_the_worker(settings, monkeypatch):
    settings.TASKS = DATABASE
    # The worker drops connections it deems stale: inside the test's transaction (autocommit
    # off) that would be the test's own connection on PostgreSQL. Its loop is otherwise real.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    closed = AideFactory(url_officielle="", date_cloture=timezone.localdate() - dt.timedelta(1))
    out = io.StringIO()

    call_command("schedule_daily_tasks", stdout=out)

    call_command("schedule_daily_tasks", stdout=out)  # the timer fired twice: nothing added

    assert out.getvalue().count("mise en file") == 2
    assert out.getvalue().count("déjà en file") == 2
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2
    closed.refresh_from_db()
    assert closed.statut == "publiee"  # nothing runs before the worker
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }
    closed.refresh_from_db()
    assert closed.statut == "archivee"


def test_the_nightly_link_check_leaves_the_public_pages_cached(site):
    from portal.lib import dataversion

    AideFactory(url_officielle=f"{site.base}/absente")
    before = dataversion.current()
    tasks.verifier_liens.enqueue()
    assert LienVerifie.objects.count() == 1
    assert dataversion.current() == before  # agents-only results: no public page recomputed
