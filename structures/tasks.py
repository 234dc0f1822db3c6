"""The structures app's background tasks (django-tasks, run by `manage.py db_worker`)."""

from django_tasks import task

from structures import background_import


@task()
def importer_fichier(job_id: int) -> str:
    """A large admin import (structures.background_import), all or nothing."""
    return background_import.run(job_id)
