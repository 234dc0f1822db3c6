"""Enqueue the aids' daily tasks; `manage.py db_worker` runs them.

django-tasks has no scheduler: run this once a day, e.g. a systemd timer
(`OnCalendar=*-*-* 03:00`, `ExecStart=/srv/portail/.venv/bin/python manage.py
schedule_daily_tasks`) or a cron line (`0 3 * * * cd /srv/portail && .venv/bin/python
manage.py schedule_daily_tasks`). Running it twice is harmless: both tasks are idempotent.
"""

from django.core.management.base import BaseCommand

from aides.tasks import TACHES_QUOTIDIENNES


class Command(BaseCommand):
    help = "Met en file les tâches quotidiennes des aides (vérification des liens, archivage)."

    def handle(self, *args, **options):
        for tache in TACHES_QUOTIDIENNES:
            result = tache.enqueue()
            self.stdout.write(f"Tâche « {tache.name} » mise en file ({result.id}).")
