"""Contours from the local folder settings.GEO_DATA_DIR, for `./dev.sh run` and the tests.

The folder is read in place (never copied into the repository). Without it the command says
so and succeeds: the portal works without maps' outlines.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from territoires.importers.contours import (
    ContourError,
    import_contours,
    matching_codes,
    read_features,
)
from territoires.management.commands.import_contours import report_lines
from territoires.models import Contour

# (level, glob) in dependency-free order; region-*.geojson are bare Features.
PATTERNS = [
    (Contour.Niveau.REGION, "region-*.geojson"),
    (Contour.Niveau.DEPARTEMENT, "departements-*.geojson"),
    (Contour.Niveau.COMMUNE, "communes/communes-*.geojson"),
    (Contour.Niveau.COMMUNE, "paris/arrondissements-*.geojson"),
]


def local_files(folder) -> list[tuple[str, object]]:
    return [(niveau, path) for niveau, pattern in PATTERNS for path in sorted(folder.glob(pattern))]


class Command(BaseCommand):
    help = "Importe les contours du dossier local PORTAL_GEO_DATA_DIR, s'il existe."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="Dossier (par défaut : GEO_DATA_DIR).")

    def handle(self, *args, **options):
        folder = Path(options["dir"] or settings.GEO_DATA_DIR)
        files = local_files(folder) if folder.is_dir() else []
        if not files:
            self.stdout.write(
                self.style.WARNING(f"Aucun contour local dans {folder} : étape ignorée.")
            )
            return
        written, targets = 0, {}
        with transaction.atomic():
            for niveau, path in files:
                if niveau not in targets:
                    targets[niveau] = matching_codes(niveau)
                try:
                    features = read_features(path)
                    report = import_contours(features, niveau, path.name, targets[niveau])
                except ContourError as exc:
                    raise CommandError(str(exc)) from exc
                written += report.counts.written
                if options["verbosity"] > 1 or report.counts.written:
                    for line in report_lines(path.name, niveau, report):
                        self.stdout.write(line)
        message = f"{written} contour(s) écrit(s)" if written else "contours à jour"
        self.stdout.write(self.style.SUCCESS(f"{len(files)} fichier(s) lus : {message}."))
