"""Large admin imports (above IMPORT_TASK_THRESHOLD rows), run by the background worker.

The agent's upload is checked exactly as for a small import (structures.admin.imports), kept
in the database (`ImportEnTache`: the worker may run on another machine) and imported by the
task `importer_fichier` (below) in one transaction: every row, its history and the job's
« terminé », or nothing. The job is claimed inside that transaction (a conditional UPDATE of a
waiting job): a worker killed or cut from the database mid-import leaves the job waiting and
no row; a second run of the same job (a task put back in the queue, a rerun) waits for the
first's lock and then finds it done. Exactly once, whatever fails.

While the transaction is open, nothing it writes is visible to the app servers, so progress
(rows done / total) and a heartbeat go to the shared cache (CACHE_URL: Redis or files; with
the database cache they are inside the transaction and show only at the end). A waiting job
whose heartbeat is older than IMPORT_HEARTBEAT_STALE_SECONDS shows as « interrompu » and the
agent can start it again.
"""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django_tasks import task
from import_export.signals import post_import

from portal.lib import dataversion
from structures.choices import StatutImport
from structures.models import ImportEnTache

logger = logging.getLogger(__name__)

PROGRESS_KEY = "structures:import-en-tache:{}"
HEARTBEAT_SECONDS = 1.0
MAX_LISTED_ERRORS = 50
INTERRUPTED = (
    "Import interrompu (le processus de tâches de fond s'est arrêté) : aucune ligne n'a été "
    "enregistrée. Vous pouvez le relancer."
)


def threshold() -> int:
    return settings.IMPORT_TASK_THRESHOLD


def model_of(job: ImportEnTache):
    return apps.get_model("structures", job.modele)


def may_import(user, model) -> bool:
    """The import permission of the model's admin (add and change), checked again by the task."""
    opts = model._meta
    return (
        user.is_active
        and user.is_staff
        and user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
        and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    )


# --- Progress (shared cache) ------------------------------------------------------------------


def record_progress(job_id: int, done: int, total: int) -> None:
    cache.set(
        PROGRESS_KEY.format(job_id), {"faites": done, "total": total, "a": time.time()}, 86400
    )


def progress(job: ImportEnTache) -> dict:
    """{"faites", "total", "en_cours", "interrompu"} as the agent should see it now."""
    done = {"faites": job.lignes_faites, "total": job.lignes, "en_cours": False}
    if job.statut != StatutImport.EN_ATTENTE:
        return {**done, "interrompu": False}
    beat = cache.get(PROGRESS_KEY.format(job.pk))
    if not beat:  # no worker has taken it yet
        return {**done, "interrompu": False}
    stale = time.time() - beat["a"] > settings.IMPORT_HEARTBEAT_STALE_SECONDS
    return {"faites": beat["faites"], "total": job.lignes, "en_cours": not stale,
            "interrompu": stale}  # fmt: skip


def can_rerun(job: ImportEnTache) -> bool:
    """Interrupted or failed on its own; a file refused for its rows would fail again."""
    return (job.statut == StatutImport.ECHOUE and not job.erreurs) or progress(job)["interrompu"]


# --- Starting -------------------------------------------------------------------------------


def create_job(*, user, model, file_name: str, format_index: int, content: bytes, rows: int):
    job = ImportEnTache.objects.create(
        modele=model._meta.model_name,
        agent=user,
        nom_fichier=file_name[:255],
        format=format_index,
        contenu=content,
        lignes=rows,
    )
    enqueue(job)
    return job


def enqueue(job: ImportEnTache) -> None:
    transaction.on_commit(lambda: importer_fichier.enqueue(job.pk))


def rerun(job: ImportEnTache) -> bool:
    """Back to the queue, if it failed or was interrupted (False otherwise: nothing done)."""
    if not can_rerun(job):
        return False
    changed = ImportEnTache.objects.filter(pk=job.pk, statut=job.statut).update(
        statut=StatutImport.EN_ATTENTE, lignes_faites=0, message="", erreurs=[], fin=None
    )
    if changed:
        cache.delete(PROGRESS_KEY.format(job.pk))
        enqueue(job)
    return bool(changed)


# --- Running (in the worker) --------------------------------------------------------------


@task()
def importer_fichier(job_id: int) -> str:
    """The worker's entry point (`manage.py db_worker`)."""
    return run(job_id)


class _RolledBack(Exception):
    def __init__(self, result):
        super().__init__("import annulé")
        self.result = result


def run(job_id: int) -> str:
    """Import the job's file, all or nothing, once: a job that is not waiting (done, or being
    imported by another worker, whose lock this claim waits for) is left alone."""
    try:
        # One bump of the public data version, at the end: not a lock held for the whole import.
        with transaction.atomic(), dataversion.deferred():
            claimed = ImportEnTache.objects.filter(
                pk=job_id, statut=StatutImport.EN_ATTENTE
            ).update(debut=timezone.now())
            if not claimed:
                return "déjà traité"
            job = ImportEnTache.objects.select_related("agent").get(pk=job_id)
            record_progress(job.pk, 0, job.lignes)
            outcome = _import(job)
            _finish(job, StatutImport.TERMINE, outcome, done=job.lignes)
    except _RolledBack as refused:
        errors = row_errors(refused.result)
        _finish(
            job,
            StatutImport.ECHOUE,
            f"Aucune ligne n'a été enregistrée : {len(errors)} ligne(s) en erreur. "
            "Corrigez le fichier puis déposez-le à nouveau.",
            errors=errors[:MAX_LISTED_ERRORS],
        )
        return "refusé"
    except PermissionError as error:
        _finish(job, StatutImport.ECHOUE, str(error))
        return "refusé"
    except (OperationalError, InterfaceError):
        # The database went away: nothing was written and the job still waits; the worker
        # (portal's db_worker) puts the task back in the queue once the database answers.
        raise
    except Exception:
        logger.exception("Import en tâche %s en échec", job_id)
        ImportEnTache.objects.filter(pk=job_id, statut=StatutImport.EN_ATTENTE).update(
            statut=StatutImport.ECHOUE,
            message="L'import a échoué sur une erreur inattendue : aucune ligne n'a été "
            "enregistrée. Relancez-le ; si l'échec se répète, transmettez le fichier à "
            "l'équipe technique.",
            fin=timezone.now(),
        )
        cache.delete(PROGRESS_KEY.format(job_id))
        raise
    cache.delete(PROGRESS_KEY.format(job_id))
    return "terminé"


def _import(job: ImportEnTache) -> str:
    model = model_of(job)
    user = job.agent
    if not may_import(user, model):
        raise PermissionError(
            "L'agent qui a déposé ce fichier n'a plus le droit d'importer ces données : "
            "rien n'a été enregistré."
        )
    model_admin = admin.site._registry[model]
    request = SimpleNamespace(user=user)  # what the admin's import hooks read
    input_format = model_admin.get_import_formats()[job.format](encoding=model_admin.from_encoding)
    data = bytes(job.contenu)
    if not input_format.is_binary():
        data = data.decode("utf-8-sig")
    dataset = input_format.create_dataset(data)
    resource = model_admin.get_import_resource_classes(request)[0](user=user)
    total, last = len(dataset), [0.0]

    def on_row(number: int) -> None:
        now = time.monotonic()
        if now - last[0] >= HEARTBEAT_SECONDS or number == total:
            last[0] = now
            record_progress(job.pk, number, total)

    resource.on_row = on_row
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            retain_instance_in_row_result=True,
            file_name=job.nom_fichier,
            user=user,
        )
        for _, errors in result.row_errors():
            for error in errors:
                if isinstance(error.error, (OperationalError, InterfaceError)):
                    raise error.error  # the database went away: not the file's fault
        if result.has_errors() or result.has_validation_errors():
            raise _RolledBack(result)
        model_admin.generate_log_entries(result, request)
    post_import.send(sender=None, model=model)
    totals = result.totals
    return (
        f"Import terminé : {totals['new']} nouveau(x), {totals['update']} modifié(s), "
        f"{totals['skip']} inchangé(s)."
    )


def _finish(job, statut, message, *, errors=(), done=0) -> None:
    ImportEnTache.objects.filter(pk=job.pk).update(
        statut=statut,
        message=message,
        erreurs=list(errors),
        lignes_faites=done,
        fin=timezone.now(),
    )
    if statut != StatutImport.TERMINE:  # « terminé » commits with the rows; cleared after
        cache.delete(PROGRESS_KEY.format(job.pk))


def row_errors(result) -> list[dict]:
    """[{"ligne", "message"}] of every row at fault, in file order (texts are the agent's
    file's: rendered escaped by the admin template)."""
    found = {}
    for row in result.invalid_rows:
        messages = [str(m) for msgs in row.field_specific_errors.values() for m in msgs]
        messages += [str(m) for m in row.non_field_specific_errors]
        found[row.number] = " ; ".join(messages)
    for number, errors in result.row_errors():
        found[number] = " ; ".join(str(e.error) for e in errors)
    return [{"ligne": n, "message": found[n]} for n in sorted(found)]
