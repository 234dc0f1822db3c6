"""python manage.py import_zonage ANNEXE.csv --profession medecin-generaliste --region 11 …

or, for a national CartoSanté export (one act per région):
python manage.py import_zonage --format cartosante infirmiers.csv [--regions 11 44 | --all]
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territoires.management.options import add_region_arguments
from territoires.models import Profession, ZonageKind
from territoires.zonages.importers.acte import import_annex, parse_eligibilites
from territoires.zonages.importers.cartosante import import_cartosante
from territoires.zonages.importers.options import make_spec

ANNEXE, CARTOSANTE = "annexe", "cartosante"


class Command(BaseCommand):
    help = (
        "Importe l'annexe d'un arrêté de zonage (CSV ou XLSX : une ligne par code INSEE, "
        "arrondissement ou IRIS, avec sa catégorie). CSV : séparateur ; , ou tabulation, "
        "encodage UTF-8 ou Windows-1252. Avec --format cartosante : un export national "
        "CartoSanté d'une profession, un acte par région."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier CSV ou XLSX de l'annexe, ou export CartoSanté.")
        parser.add_argument(
            "--format",
            default=ANNEXE,
            choices=[ANNEXE, CARTOSANTE],
            help="annexe (par défaut) : annexe d'un arrêté ; cartosante : export CartoSanté "
            "« Code;Libellé;Zonage <profession> ».",
        )
        add_region_arguments(parser, "CartoSanté : ")
        parser.add_argument(
            "--date-export",
            default="",
            help="CartoSanté : date de l'export, AAAA-MM-JJ (connue pour les copies hors ligne).",
        )
        parser.add_argument("--kind", default=ZonageKind.ARS, choices=ZonageKind.values)
        parser.add_argument("--profession", default="", choices=["", *Profession.values])
        parser.add_argument("--region", default="", help="Code INSEE de la région (11, 44).")
        parser.add_argument(
            "--arrete-date", default="", help="Annexe : date de l'acte, AAAA-MM-JJ."
        )
        parser.add_argument("--source-url", default="", help="Annexe : adresse de l'acte publié.")
        parser.add_argument("--titre", default="")
        parser.add_argument("--editeur", default="", help="Par défaut : « ARS <région> ».")
        parser.add_argument("--valide-du", default="", help="Par défaut : la date de l'acte.")
        parser.add_argument("--valide-au", default="")
        parser.add_argument(
            "--categories",
            default="",
            help="Catégories dans l'ordre de l'acte, séparées par des virgules "
            "(par défaut : ordre connu, puis ordre d'apparition).",
        )
        parser.add_argument(
            "--eligibilite",
            action="append",
            default=[],
            help="code=classe+classe, ex. zac=aides-collectivites (répétable).",
        )
        parser.add_argument(
            "--categorie-par-defaut",
            default="",
            help="Catégorie des lignes sans colonne de catégorie (liste de communes FRR…).",
        )
        parser.add_argument("--demonstration", action="store_true")
        parser.add_argument("--dry-run", action="store_true", help="Montre sans rien écrire.")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Fichier illisible : {path} ({exc.strerror}).") from exc
        if opts["format"] == CARTOSANTE:
            return self.import_cartosante(content, path.name, opts)
        missing = [option for option in ("arrete_date", "source_url") if not opts[option].strip()]
        if missing:
            names = " et ".join("--" + option.replace("_", "-") for option in missing)
            raise CommandError(f"Une annexe demande {names} (date et adresse de l'acte publié).")
        spec, errors = make_spec(
            kind=opts["kind"],
            profession=opts["profession"],
            region_code=opts["region"],
            arrete_date=opts["arrete_date"],
            source_url=opts["source_url"],
            titre=opts["titre"],
            editeur=opts["editeur"],
            valide_du=opts["valide_du"],
            valide_au=opts["valide_au"],
            demonstration=opts["demonstration"],
        )
        eligibilites, more = parse_eligibilites(opts["eligibilite"])
        errors += more
        if errors:
            raise CommandError("\n".join(errors))
        result = import_annex(
            content,
            path.name,
            spec,
            dry_run=opts["dry_run"],
            ordre_categories=[c for c in opts["categories"].split(",") if c.strip()],
            eligibilites=eligibilites,
            default_categorie=opts["categorie_par_defaut"],
        )
        report_result(self, result)

    def import_cartosante(self, content, filename, opts):
        started = time.monotonic()
        regions = None if opts["all"] else (opts["regions"] or settings.DEFAULT_REGIONS)
        result = import_cartosante(
            content,
            filename,
            regions=regions,
            date_export=opts["date_export"] or None,
            dry_run=opts["dry_run"],
            progress=self.stdout.write,
        )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Attention : {warning}"))
        if not result.ok:
            raise CommandError(
                "Import refusé, rien n'a été écrit :\n" + "\n".join(result.error_lines())
            )
        for line in result.summary:
            self.stdout.write(line)
        elapsed = time.monotonic() - started
        if result.up_to_date:
            message = f"{filename} : déjà à jour, rien à écrire ({elapsed:.1f} s)."
        elif result.dry_run:
            message = "Simulation (--dry-run) : rien n'a été écrit."
        else:
            message = f"{filename} : {len(result.plans)} acte(s) importé(s) en {elapsed:.1f} s."
        self.stdout.write(self.style.SUCCESS(message))


def report_result(command, result):
    for warning in result.warnings:
        command.stdout.write(command.style.WARNING(f"Attention : {warning}"))
    if not result.ok:
        raise CommandError(
            "Import refusé, rien n'a été écrit :\n" + "\n".join(result.error_lines())
        )
    for line in result.plan.summary():
        command.stdout.write(line)
    if result.dry_run:
        command.stdout.write(command.style.WARNING("Simulation (--dry-run) : rien n'a été écrit."))
    elif result.plan.has_changes:
        command.stdout.write(command.style.SUCCESS(f"Acte n° {result.zonage.pk} enregistré."))
