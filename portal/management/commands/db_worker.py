"""`manage.py db_worker`: django-tasks' database worker, made to outlive a database outage.

django_tasks_db's own worker exits on the first database error, and a task it was running
when the connection broke stays « running » for ever: never finished, never run again. This
one (same options; `portal` comes before `django_tasks_db` in INSTALLED_APPS) waits and tries
again (1 s, doubling up to RETRY_MAX_SECONDS) and, once the database answers, puts that task
back in the queue. Its transaction died with the connection, and the portal's tasks are
idempotent (an import is claimed inside its own transaction, structures.background_import),
so the task runs again from the start and takes effect exactly once.
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("django_tasks")

RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 30.0
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def _is_connection_error(path: str) -> bool:
    return path.rsplit(".", 1)[-1] in {error.__name__ for error in CONNECTION_ERRORS}


class Worker(db_worker.Worker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._interrupted: int | str | None = None  # the task the last outage cut short

    def run(self) -> None:
        delay = RETRY_FIRST_SECONDS
        while self.running:
            try:
                self._requeue_interrupted()
                super().run()
                return
            except CONNECTION_ERRORS as error:
                logger.warning(
                    "Base de données injoignable (%s) : nouvel essai dans %.0f s.",
                    str(error).strip().splitlines()[0] if str(error).strip() else error,
                    delay,
                )
                connections.close_all()
                self._wait(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self._interrupted = db_task_result.pk  # until it is recorded as finished
        super().run_task(db_task_result)  # raises if the failure could not be recorded
        if db_task_result.status == TaskResultStatus.FAILED and _is_connection_error(
            db_task_result.exception_class_path
        ):
            self._requeue_interrupted()  # lost the connection, found it again: once more
        self._interrupted = None

    def _requeue_interrupted(self) -> None:
        if self._interrupted is None:
            return
        DBTaskResult.objects.filter(
            pk=self._interrupted,
            status__in=[TaskResultStatus.RUNNING, TaskResultStatus.FAILED],
        ).update(status=TaskResultStatus.READY, started_at=None, finished_at=None)
        logger.warning("Tâche %s remise dans la file après la coupure.", self._interrupted)
        self._interrupted = None

    def _wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while self.running and time.monotonic() < end:
            time.sleep(0.1)


class Command(db_worker.Command):
    help = (
        "Exécute les tâches en arrière-plan ; attend le retour de la base de données quand "
        "elle est injoignable, puis reprend (portal.management.commands.db_worker)."
    )

    def handle(self, *args, **options):
        # The parent's handle() builds the module's Worker from its options: this one instead.
        original, db_worker.Worker = db_worker.Worker, Worker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
