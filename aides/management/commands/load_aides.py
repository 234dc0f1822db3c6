"""`python manage.py load_aides [FICHIER] [--update] [--dry-run]`: the aid catalogue."""

from django.core.management.base import BaseCommand, CommandError

from aides import catalogue


class Command(BaseCommand):
    help = (
        "Charge le catalogue des aides (aides/data/catalogue.json). Les aides existantes "
        "ne sont pas modifiées, sauf avec --update."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", nargs="?", default=str(catalogue.DEFAULT_PATH))
        parser.add_argument(
            "--update",
            action="store_true",
            help="Remplace les fiches existantes par celles du catalogue.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Affiche ce qui changerait sans rien écrire."
        )

    def handle(self, *args, fichier, update, dry_run, **options):
        try:
            data = catalogue.read(fichier)
            report = catalogue.load(data, update=update, dry_run=dry_run)
        except catalogue.CatalogueError as exc:
            raise CommandError(f"Catalogue non chargé, rien n'a été écrit :\n{exc}") from exc
        prefix = "Simulation : " if dry_run else ""
        self.stdout.write(f"{prefix}aides {report.summary()}.")
        for slug in report.created:
            self.stdout.write(f"  + {slug}")
        for slug in report.updated:
            self.stdout.write(f"  ~ {slug}")
