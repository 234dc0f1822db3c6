"""Large admin imports (above IMPORT_TASK_THRESHOLD rows), run by the background worker.

An app's import page checks the agent's upload exactly as for a small import, then hands it
here (`create_job`): the file is kept in the database (`portal.ImportEnTache`: the worker may
run on another machine) and imported by the task `importer_fichier` through the runner the
app registered for that model (`register`, from its AppConfig.ready), in one transaction:
every row, its history and the job's « terminé », or nothing. The job is claimed inside that
transaction (a conditional UPDATE of a waiting job): a worker killed or cut from the database
mid-import leaves the job waiting and no row; a second run of the same job (a task put back
in the queue, a rerun) waits for the first's lock and then finds it done. Exactly once,
whatever fails.

While the transaction is open, nothing it writes is visible to the app servers, so progress
(rows done / total) and a heartbeat go to the shared cache (CACHE_URL: Redis or files; with
the database cache they are inside the transaction and show only at the end). A waiting job
whose heartbeat is older than IMPORT_HEARTBEAT_STALE_SECONDS shows as « interrompu » and the
agent can start it again.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, models, transaction
from django.utils import timezone
from django_tasks import task
from simple_history.models import HistoricalRecords

from portal.lib import dataversion

logger = logging.getLogger(__name__)

PROGRESS_KEY = "portal:import-en-tache:{}"
HEARTBEAT_SECONDS = 1.0
MAX_LISTED_ERRORS = 50
INTERRUPTED = (
    "Import interrompu (le processus de tâches de fond s'est arrêté) : aucune ligne n'a été "
    "enregistrée. Vous pouvez le relancer."
)


class StatutImport(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    TERMINE = "termine", "Terminé"
    ECHOUE = "echoue", "Échoué"


class Refused(Exception):
    """Raised by a runner when the file is at fault: nothing written; `errors` are
    [{"ligne", "message"}] (texts from the agent's file: rendered escaped)."""

    def __init__(self, errors: list[dict]):
        super().__init__("import refusé")
        self.errors = errors


# A runner imports the job's file in the caller's transaction and returns the outcome shown
# to the agent; it calls `on_row(number)` as rows are done and raises Refused.
Runner = Callable[[models.Model, Callable[[int], None]], str]
_runners: dict[str, Runner] = {}


def register(model, runner: Runner) -> None:
    _runners[model._meta.label_lower] = runner


def registered_models() -> list:
    return [apps.get_model(label) for label in _runners]


def job_model():
    return apps.get_model(settings.PORTAL_IMPORT_JOB_MODEL)


def threshold() -> int:
    return settings.IMPORT_TASK_THRESHOLD


def model_of(job):
    return apps.get_model(job.modele)


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


def progress(job) -> dict:
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


def can_rerun(job) -> bool:
    """Interrupted or failed on its own; a file refused for its rows would fail again."""
    return (job.statut == StatutImport.ECHOUE and not job.erreurs) or progress(job)["interrompu"]


# --- Starting -------------------------------------------------------------------------------


def create_job(*, user, model, file_name: str, content: bytes, rows: int, parametres: dict):
    """A waiting job, queued once the caller's transaction commits."""
    if model._meta.label_lower not in _runners:
        raise LookupError(f"Aucun import en tâche pour {model._meta.label}.")
    job = job_model().objects.create(
        modele=model._meta.label_lower,
        agent=user,
        nom_fichier=file_name[:255],
        parametres=parametres,
        contenu=content,
        lignes=rows,
    )
    enqueue(job)
    return job


def enqueue(job) -> None:
    transaction.on_commit(lambda: importer_fichier.enqueue(job.pk))


def rerun(job) -> bool:
    """Back to the queue, if it failed or was interrupted (False otherwise: nothing done)."""
    if not can_rerun(job):
        return False
    changed = (
        job_model()
        .objects.filter(pk=job.pk, statut=job.statut)
        .update(statut=StatutImport.EN_ATTENTE, lignes_faites=0, message="", erreurs=[], fin=None)
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


def run(job_id: int) -> str:
    """Import the job's file, all or nothing, once: a job that is not waiting (done, or being
    imported by another worker, whose lock this claim waits for) is left alone."""
    jobs = job_model().objects
    try:
        # One bump of the public data version, at the end: not a lock held for the whole import.
        with transaction.atomic(), dataversion.deferred():
            claimed = jobs.filter(pk=job_id, statut=StatutImport.EN_ATTENTE).update(
                debut=timezone.now()
            )
            if not claimed:
                return "déjà traité"
            job = jobs.select_related("agent").get(pk=job_id)
            if not may_import(job.agent, model_of(job)):
                raise PermissionError(
                    "L'agent qui a déposé ce fichier n'a plus le droit d'importer ces données : "
                    "rien n'a été enregistré."
                )
            record_progress(job.pk, 0, job.lignes)
            with _as_agent(job.agent):
                outcome = _runners[job.modele](job, _heartbeat(job))
            _finish(job, StatutImport.TERMINE, outcome, done=job.lignes)
    except Refused as refused:
        _finish(
            job,
            StatutImport.ECHOUE,
            f"Aucune ligne n'a été enregistrée : {len(refused.errors)} ligne(s) en erreur. "
            "Corrigez le fichier puis déposez-le à nouveau.",
            errors=refused.errors[:MAX_LISTED_ERRORS],
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
        jobs.filter(pk=job_id, statut=StatutImport.EN_ATTENTE).update(
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


@contextlib.contextmanager
def _as_agent(user):
    """The history names the agent who uploaded the file, as in the request that would have
    imported it (simple-history reads the user from its request middleware's context)."""
    context = HistoricalRecords.context
    saved = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if saved is None:
            with contextlib.suppress(AttributeError):
                del context.request
        else:
            context.request = saved


def _heartbeat(job) -> Callable[[int], None]:
    last = [0.0]

    def on_row(number: int) -> None:
        now = time.monotonic()
        if now - last[0] >= HEARTBEAT_SECONDS or number == job.lignes:
            last[0] = now
            record_progress(job.pk, number, job.lignes)

    return on_row


def _finish(job, statut, message, *, errors=(), done=0) -> None:
    job_model().objects.filter(pk=job.pk).update(
        statut=statut,
        message=message,
        erreurs=list(errors),
        lignes_faites=done,
        fin=timezone.now(),
    )
    if statut != StatutImport.TERMINE:  # « terminé » commits with the rows; cleared after
        cache.delete(PROGRESS_KEY.format(job.pk))
