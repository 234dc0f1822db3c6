"""`python manage.py import_cog [--regions 11 44 | --all] [--dry-run]`."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from territoires.importers.cog import CogError, read_cog, sync_cog
from territoires.models import means_all_regions


class Command(BaseCommand):
    help = (
        "Importe le Code officiel géographique (régions, départements, communes, "
        "arrondissements municipaux, EPCI et EPT) du paquet npm @etalab/decoupage-administratif."
    )

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument(
            "--regions",
            nargs="+",
            metavar="CODE",
            help="Codes INSEE des régions à importer (par défaut : PORTAL_REGIONS, soit 11 44 ; "
            "« all » : toute la France).",
        )
        scope.add_argument("--all", action="store_true", help="Importer toute la France.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Tout vérifier et compter, sans rien écrire."
        )
        parser.add_argument(
            "--data-dir", help="Dossier des JSON du paquet (par défaut : COG_DATA_DIR)."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        regions = options["regions"] or settings.DEFAULT_REGIONS
        if options["all"] or means_all_regions(regions):
            regions = None  # PORTAL_REGIONS=all: the whole of France
        data_dir = options["data_dir"] or settings.COG_DATA_DIR
        try:
            data = read_cog(data_dir, regions)
        except CogError as exc:
            raise CommandError(str(exc)) from exc
        scope = "toutes les régions" if regions is None else "régions " + ", ".join(regions)
        self.stdout.write(
            f"COG ({scope}) : {len(data.communes)} communes, "
            f"{len(data.arrondissements)} arrondissements municipaux à comparer."
        )
        with transaction.atomic():
            result = sync_cog(data, log=self.stdout.write)
            if options["dry_run"]:
                transaction.set_rollback(True)
        written = sum(counts.written for counts in result.values())
        elapsed = time.monotonic() - started
        if options["dry_run"]:
            message = f"Essai à blanc : {written} écriture(s) auraient eu lieu, rien n'est écrit."
        elif written:
            message = f"COG importé : {written} ligne(s) écrite(s) en {elapsed:.1f} s."
        else:
            message = f"COG à jour : rien à écrire ({elapsed:.1f} s)."
        self.stdout.write(self.style.SUCCESS(message))
