"""python manage.py import_qpv QP2024_France_WGS84.geojson [--region 11] [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError

from territoires.importers.contours import ContourError, read_features
from territoires.importers.qpv import import_qpv, qpv_spec
from territoires.management.commands.import_zonage import report_result
from territoires.models import Region
from territoires.zonages.importers.options import parse_date


class Command(BaseCommand):
    help = (
        "Importe les quartiers prioritaires (QPV) depuis le GeoJSON de l'ANCT (fichier ou "
        "adresse) : propriétés code_qp/lib_qp (ou code/nom), communes par insee_com, par les "
        "contours des communes, ou par lib_com/commune."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="Fichier GeoJSON (éventuellement .gz) ou URL.")
        parser.add_argument("--region", default="", help="Ne garder que cette région (11, 44).")
        parser.add_argument("--titre", default="")
        parser.add_argument("--arrete-date", default="", help="Par défaut : 2023-12-28.")
        parser.add_argument("--valide-du", default="", help="Par défaut : 2024-01-01.")
        parser.add_argument("--valide-au", default="")
        parser.add_argument("--source-url", default="", help="Par défaut : le jeu data.gouv.fr.")
        parser.add_argument("--dry-run", action="store_true", help="Montre sans rien écrire.")

    def handle(self, *args, **opts):
        errors = []
        region = None
        if opts["region"]:
            region = Region.objects.filter(code=opts["region"]).first()
            if region is None:
                errors.append(f"Région « {opts['region']} » inconnue (importez d'abord le COG).")
        spec = qpv_spec(
            region,
            titre=opts["titre"],
            url=opts["source_url"],
            date_acte=parse_date(opts["arrete_date"], "Date de l'acte", errors),
            valide_du=parse_date(opts["valide_du"], "Début de validité", errors),
            valide_au=parse_date(opts["valide_au"], "Fin de validité", errors),
        )
        if errors:
            raise CommandError("\n".join(errors))
        try:
            features = read_features(opts["source"])
        except ContourError as exc:
            raise CommandError(str(exc)) from exc
        result = import_qpv(features, spec, dry_run=opts["dry_run"], source=opts["source"])
        report_result(self, result)
