"""python manage.py import_qpv_communes QPV-COMMUNES.geojson [--regions 11 44 | --all] [--dry-run]

One act per région without QPV perimeters; every région is planned before anything is
written, in one transaction. A région whose act already carries the file's fingerprint is
not read again.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from territoires.importers.contours import ContourError, read_features
from territoires.management.commands.import_zonage import report_result
from territoires.management.options import add_region_arguments, read_file, selected_regions
from territoires.zonages.importers.qpv_communes import (
    communes_spec,
    plan_region,
    read_quartiers,
    region_fingerprint,
    regions_with_perimeters,
)
from territoires.zonages.importers.ruralite import RegionCommunes, apply


class Command(BaseCommand):
    help = (
        "Importe les quartiers prioritaires 2024 connus par commune (GeoJSON de l'ANCT : un "
        "point par commune, propriétés insee_com, code_qp, lib_qp) pour les régions dont les "
        "périmètres des QPV ne sont pas chargés."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON des communes à quartier prioritaire.")
        add_region_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Montre sans rien écrire.")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        content = read_file(path)
        if len(content) > settings.IMPORT_MAX_FILE_SIZE:
            raise CommandError(
                f"Fichier trop volumineux ({len(content) // 1024} Ko) : la limite est de "
                f"{settings.IMPORT_MAX_FILE_SIZE // 1024} Ko."
            )
        regions = selected_regions(opts["regions"], opts["all"])
        with_perimeters = regions_with_perimeters(regions)
        wanted = []
        for region in regions:
            if region.pk in with_perimeters:
                self.stdout.write(
                    f"{region.nom} : périmètres des QPV déjà chargés, conservés (recherche "
                    "au point)."
                )
                continue
            spec = communes_spec(region, path.name, region_fingerprint(content, region))
            existing = spec.find()
            if existing is not None and existing.empreinte == spec.empreinte:
                self.stdout.write(f"{region.nom} : déjà à jour, fichier non relu.")
                continue
            wanted.append(spec)
        if not wanted:
            return
        try:
            features = read_features(path)
        except ContourError as exc:
            raise CommandError(str(exc)) from exc
        errors = []
        quartiers = read_quartiers(features, errors)
        results = []
        if not errors:
            for spec in wanted:
                self.stdout.write(f"{spec.region.nom} : lecture de {path.name}…")
                result = plan_region(quartiers, spec, RegionCommunes([spec.region]))
                errors += result.errors
                results.append((spec, result))
        if errors:
            shown = errors[:100] + ([f"… et {len(errors) - 100} autre(s)."] if errors[100:] else [])
            raise CommandError("Import refusé, rien n'a été écrit :\n" + "\n".join(shown))
        if not opts["dry_run"]:
            with transaction.atomic():
                for _spec, result in results:
                    if result.plan is not None:  # a région without any QPV has no act
                        apply(result, reason=f"Import QPV par commune {path.name}")
        for spec, result in results:
            self.stdout.write(f"— {spec.region.nom}")
            if result.plan is None:
                for warning in result.warnings:
                    self.stdout.write(self.style.WARNING(f"Attention : {warning}"))
                self.stdout.write("Aucun quartier prioritaire dans le fichier : aucun acte.")
                continue
            result.dry_run = opts["dry_run"]
            report_result(self, result)
