"""`python manage.py import_contours --level region|departement|commune [SOURCE ...]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from territoires.importers.contours import (
    DEFAULT_SOURCES,
    ContourError,
    import_contours,
    is_url,
    matching_codes,
    read_features,
)
from territoires.models import Contour

MAX_LISTED = 15


def report_lines(source, niveau, report) -> list[str]:
    """Human summary of one file, shared with `import_contours_local`."""
    lines = [
        f"{source} ({niveau}) : {report.matched} objet(s) rapproché(s), "
        f"{sum(map(len, report.merged.values()))} ancien(s) code(s) fusionné(s) dans "
        f"{len(report.merged)} commune(s) actuelle(s), {len(report.unmatched)} non rapproché(s)."
    ]
    if report.unmatched:
        shown = ", ".join(report.unmatched[:MAX_LISTED])
        more = "…" if len(report.unmatched) > MAX_LISTED else ""
        lines.append(f"  Codes sans territoire connu : {shown}{more}")
    if report.invalid:
        lines.append(f"  Géométries absentes ou invalides, ignorées : {', '.join(report.invalid)}")
    lines.append(f"  Contours : {report.counts.summary()}")
    return lines


class Command(BaseCommand):
    help = (
        "Importe des contours officiels (GeoJSON : chemin ou URL) et les rattache aux codes "
        "INSEE. Sans SOURCE : fichiers « contours administratifs » d'Etalab (réseau requis)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--level", required=True, choices=Contour.Niveau.values)
        parser.add_argument("sources", nargs="*", metavar="SOURCE")
        parser.add_argument(
            "--dry-run", action="store_true", help="Tout vérifier et compter, sans rien écrire."
        )

    def handle(self, *args, **options):
        niveau = options["level"]
        sources = options["sources"] or DEFAULT_SOURCES[niveau]
        written, targets = 0, None
        with transaction.atomic():
            for source in sources:
                self.stdout.write(f"Lecture de {source}…")
                try:
                    features = read_features(source)
                except ContourError as exc:
                    raise CommandError(str(exc)) from exc
                # Stored as the file's name: the same file read from another folder is unchanged.
                label = source if is_url(source) else Path(source).name
                targets = targets or matching_codes(niveau)
                report = import_contours(features, niveau, label, targets)
                written += report.counts.written
                for line in report_lines(source, niveau, report):
                    self.stdout.write(line)
            if options["dry_run"]:
                transaction.set_rollback(True)
        if options["dry_run"]:
            message = f"Essai à blanc : {written} contour(s) auraient été écrits, rien n'est écrit."
        else:
            message = f"Contours : {written} écrit(s)." if written else "Contours à jour."
        self.stdout.write(self.style.SUCCESS(message))
