"""Enqueue the aids' daily tasks; `manage.py db_worker` runs them.

django-tasks has no scheduler: run this once a day, e.g. a systemd timer
(`OnCalendar=*-*-* 03:00`, `ExecStart=/srv/portail/.venv/bin/python manage.py
schedule_daily_tasks`) or a cron line (`0 3 * * * cd /srv/portail && .venv/bin/python
manage.py schedule_daily_tasks`). Running it twice is harmless: a task still waiting in the
database queue is not enqueued again, and both tasks are idempotent anyway.
"""

from django.core.management.base import BaseCommand
from django_tasks import TaskResultStatus
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from aides.tasks import TACHES_QUOTIDIENNES


def _deja_en_file(tache) -> bool:
    if not isinstance(tache.get_backend(), DatabaseBackend):
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=tache.module_path, status=TaskResultStatus.READY
    )
    return waiting.exists()


class Command(BaseCommand):
    help = "Met en file les tâches quotidiennes des aides (vérification des liens, archivage)."

    def handle(self, *args, **options):
        for tache in TACHES_QUOTIDIENNES:
            if _deja_en_file(tache):
                self.stdout.write(f"Tâche « {tache.name} » déjà en file : rien à ajouter.")
                continue
            result = tache.enqueue()
            self.stdout.write(f"Tâche « {tache.name} » mise en file ({result.id}).")
