"""Step of setup_demo: the demonstration structures and professionals (idempotent)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from structures import demo
from structures.demo_geo import Placer
from structures.demo_sync import SyncReport, sync_professionnels, sync_structures
from territoires.models import Commune


class Command(BaseCommand):
    help = (
        "Charge le jeu de démonstration des structures et professionnels soutenus : bilan "
        "publié de la Région Île-de-France (281 structures, 129 professionnels) et quelques "
        "dossiers du Grand Est. Nécessite import_cog, les contours et load_demo_zonages."
    )

    def handle(self, *args, **options):
        if not Commune.objects.filter(region__code="11").exists():
            raise CommandError(
                "Référentiel des communes absent : lancez d'abord « python manage.py import_cog »."
            )
        try:
            with transaction.atomic():
                idf_structures, idf_pros, notes = demo.idf_plan(Placer("11"))
                ge_structures, ge_pros = demo.grand_est_plan(Placer("44"))
                report = SyncReport()
                sync_structures(idf_structures + ge_structures, report)
                sync_professionnels(idf_pros + ge_pros, report)
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Structures et professionnels de démonstration : {report}.")
        for note in notes:
            self.stdout.write(self.style.WARNING(f"Mode dégradé — {note}."))
        if report.missing_aides:
            self.stdout.write(
                self.style.WARNING(
                    "Aides absentes du catalogue (lancez load_aides) : "
                    + ", ".join(sorted(report.missing_aides))
                )
            )
