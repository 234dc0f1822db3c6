"""manage.py import_ruralite --frr FRR.csv --zrr ZRR.csv [--regions 11 44 | --all] [--dry-run]

Both acts are planned first and written in one transaction: a malformed line in either file
writes nothing. An act whose stored fingerprint (file + régions) matches is not read again.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from territoires.management.commands.import_zonage import report_result
from territoires.management.options import add_region_arguments, read_file, selected_regions
from territoires.zonages.importers.ruralite import (
    apply,
    fingerprint,
    frr_spec,
    plan_frr,
    plan_zrr,
    zrr_spec,
)

LISTS = (
    ("frr", "France Ruralités Revitalisation", frr_spec, plan_frr),
    ("zrr", "Zones de revitalisation rurale", zrr_spec, plan_zrr),
)


class Command(BaseCommand):
    help = (
        "Importe le classement France Ruralités Revitalisation (FRR et FRR+, liste DGCL/ANCT "
        "du 10 juillet 2025, CSV « ; ») et/ou les anciennes zones de revitalisation rurale "
        "(ZRR, ANCT, COG 2021), pour les communes des régions choisies."
    )

    def add_arguments(self, parser):
        parser.add_argument("--frr", metavar="FICHIER", help="Liste des communes FRR (CSV).")
        parser.add_argument("--zrr", metavar="FICHIER", help="Liste des communes ZRR (CSV).")
        add_region_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Montre sans rien écrire.")

    def handle(self, *args, **opts):
        if not opts["frr"] and not opts["zrr"]:
            raise CommandError("Indiquez au moins un fichier : --frr FICHIER et/ou --zrr FICHIER.")
        regions = selected_regions(opts["regions"], opts["all"])
        codes = [r.code for r in regions]
        self.stdout.write(f"Régions : {', '.join(codes)}.")
        results = []
        for option, label, make_spec, plan in LISTS:
            if not opts[option]:
                continue
            path = Path(opts[option])
            content = read_file(path)
            spec = make_spec(path.name, fingerprint(content, codes))
            existing = spec.find()
            if existing is not None and existing.empreinte == spec.empreinte:
                self.stdout.write(f"{label} ({path.name}) : déjà à jour, fichier non relu.")
                continue
            self.stdout.write(f"{label} : lecture de {path.name}…")
            results.append((path.name, plan(content, path.name, spec, regions)))
        failed = [(name, r) for name, r in results if not r.ok]
        if failed:
            lines = [f"{name} : {e}" for name, r in failed for e in r.error_lines()]
            raise CommandError("Import refusé, rien n'a été écrit :\n" + "\n".join(lines))
        for _name, result in results:
            result.dry_run = opts["dry_run"]
        if not opts["dry_run"]:
            with transaction.atomic():
                for name, result in results:
                    apply(result, reason=f"Import de {name}")
        for name, result in results:
            self.stdout.write(f"— {name}")
            report_result(self, result)
