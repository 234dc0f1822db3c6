"""Imports above IMPORT_TASK_THRESHOLD rows: run by the worker, all or nothing, followed by
the agent on the job's page, rerun after a failure."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from portal.lib import background_import
from portal.lib.background_import import StatutImport
from portal.models import ImportEnTache
from structures.models import Structure

from .conftest import PASSWORD, interior_point
from .test_import import csv_bytes, preview

pytestmark = pytest.mark.django_db

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def rows(count, start=0, bad_at=None):
    lat, lon = interior_point("93008")
    found = []
    for i in range(start, start + count):
        commune = "99999" if i - start + 1 == bad_at else "93008"
        found.append([f"T-BG-{i}", "msp", f"MSP n° {i}", commune, lat, lon, "1000", "", "", ""])
    return found


@pytest.fixture
def agent_client(client, agent_93):
    assert client.login(username=agent_93.username, password=PASSWORD)
    return client


@pytest.fixture
def small_threshold(settings):
    settings.IMPORT_TASK_THRESHOLD = 5
    settings.TASKS = QUEUE


def job_page(client, job):
    return client.get(reverse("admin:portal_importentache_change", args=[job.pk]))


def run_queue(django_capture_on_commit_callbacks, action):
    """The request, with the enqueueing it does on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return action()


def test_a_large_file_is_imported_by_the_worker_with_the_agents_history(
    agent_client, agent_93, small_threshold, django_capture_on_commit_callbacks
):
    response = run_queue(
        django_capture_on_commit_callbacks, lambda: preview(agent_client, csv_bytes(rows(8)))
    )
    job = ImportEnTache.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:portal_importentache_change", args=[job.pk])
    assert not Structure.objects.filter(reference__startswith="T-BG-").exists()  # not yet

    waiting = job_page(agent_client, job).content.decode()
    assert "0 / 8 lignes" in waiting and 'http-equiv="refresh"' in waiting
    assert "il est importé en arrière-plan" in waiting

    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.get()
    assert task.task_path == "portal.lib.background_import.importer_fichier"
    assert background_import.run(job.pk) == "terminé"

    assert Structure.objects.filter(reference__startswith="T-BG-").count() == 8
    record = Structure.objects.get(reference="T-BG-3").history.latest()
    assert record.history_user == agent_93
    assert LogEntry.objects.filter(user=agent_93).count() == 8
    done = job_page(agent_client, job).content.decode()
    assert "8 / 8 lignes" in done and "Import terminé : 8 nouveau(x)" in done
    assert 'http-equiv="refresh"' not in done
    # Idempotent: the same job again writes nothing more.
    assert background_import.run(job.pk) == "déjà traité"
    assert Structure.objects.filter(reference__startswith="T-BG-").count() == 8


def test_the_job_page_shows_progress_while_the_worker_runs(
    agent_client, agent_93, small_threshold, monkeypatch
):
    job = background_import.create_job(
        user=agent_93, model=Structure, file_name="gros.csv", parametres={"format": 0},
        content=csv_bytes(rows(6)), rows=6,
    )  # fmt: skip
    seen = []

    def record(job_id, done, total):
        background_import.cache.set(
            background_import.PROGRESS_KEY.format(job_id),
            {"faites": done, "total": total, "a": background_import.time.time()},
        )
        if done == 3:
            seen.append(job_page(agent_client, job).content.decode())

    monkeypatch.setattr(background_import, "HEARTBEAT_SECONDS", 0)
    monkeypatch.setattr(background_import, "record_progress", record)
    background_import.run(job.pk)
    assert seen and "3 / 6 lignes" in seen[0] and "En cours" in seen[0]


def test_one_bad_row_writes_nothing_and_names_the_row(
    agent_client, agent_93, small_threshold, django_capture_on_commit_callbacks
):
    run_queue(
        django_capture_on_commit_callbacks,
        lambda: preview(agent_client, csv_bytes(rows(12, bad_at=11))),
    )
    job = ImportEnTache.objects.get()
    assert background_import.run(job.pk) == "refusé"
    assert not Structure.objects.filter(reference__startswith="T-BG-").exists()
    job.refresh_from_db()
    assert job.statut == StatutImport.ECHOUE
    page = job_page(agent_client, job).content.decode()
    assert "Aucune ligne n&#x27;a été enregistrée : 1 ligne(s) en erreur" in page
    assert "<td>11</td>" in page and "99999" in page
    assert "Relancer l'import" not in page  # the same file would fail again


def test_an_interrupted_job_is_shown_failed_and_a_rerun_completes(
    agent_client, agent_93, small_threshold, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_HEARTBEAT_STALE_SECONDS = 0
    job = background_import.create_job(
        user=agent_93, model=Structure, file_name="gros.csv", parametres={"format": 0},
        content=csv_bytes(rows(7)), rows=7,
    )  # fmt: skip
    # What a killed worker leaves: the job still waiting (its claim rolled back with the
    # rows), and a heartbeat that stopped at row 3.
    background_import.record_progress(job.pk, 3, 7)
    page = job_page(agent_client, job).content.decode()
    assert "Import interrompu" in page and "Interrompu" in page and "3 / 7 lignes" in page
    assert 'http-equiv="refresh"' not in page

    url = reverse("admin:portal_importentache_relancer", args=[job.pk])
    assert agent_client.get(url).status_code == 405
    response = run_queue(django_capture_on_commit_callbacks, lambda: agent_client.post(url))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.statut == StatutImport.EN_ATTENTE
    assert background_import.run(job.pk) == "terminé"
    assert Structure.objects.filter(reference__startswith="T-BG-").count() == 7
    # A finished job is not rerun.
    agent_client.post(url)
    job.refresh_from_db()
    assert job.statut == StatutImport.TERMINE


def test_jobs_are_their_agents_own(client, agent_93, agent_75, lecteur, small_threshold):
    job = background_import.create_job(
        user=agent_93, model=Structure, file_name="gros.csv", parametres={"format": 0},
        content=csv_bytes(rows(6)), rows=6,
    )  # fmt: skip
    ImportEnTache.objects.filter(pk=job.pk).update(statut=StatutImport.ECHOUE)
    change = reverse("admin:portal_importentache_change", args=[job.pk])
    rerun = reverse("admin:portal_importentache_relancer", args=[job.pk])
    for other in (agent_75, lecteur):
        client.force_login(other)
        assert client.get(change).status_code in (302, 403, 404)
        assert client.post(rerun).status_code in (302, 403, 404)
        job.refresh_from_db()
        assert job.statut == StatutImport.ECHOUE
        listing = client.get(reverse("admin:portal_importentache_changelist"))
        assert "gros.csv" not in listing.content.decode()


def test_the_agent_losing_the_import_right_stops_the_job(agent_93, small_threshold):
    job = background_import.create_job(
        user=agent_93, model=Structure, file_name="gros.csv", parametres={"format": 0},
        content=csv_bytes(rows(6)), rows=6,
    )  # fmt: skip
    agent_93.user_permissions.clear()
    agent_93.groups.clear()
    assert background_import.run(job.pk) == "refusé"
    job.refresh_from_db()
    assert job.statut == StatutImport.ECHOUE and "n'a plus le droit" in job.message
    assert not Structure.objects.filter(reference__startswith="T-BG-").exists()


def test_small_files_keep_the_preview(agent_client, small_threshold):
    response = preview(agent_client, csv_bytes(rows(5)))
    assert response.status_code == 200 and "confirm_form" in response.context
    assert not ImportEnTache.objects.exists()
