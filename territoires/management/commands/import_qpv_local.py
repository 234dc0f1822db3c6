"""Step of setup_demo: the official 2024 QPV of Île-de-France from GEO_DATA_DIR, if present."""

from django.conf import settings
from django.core.management.base import BaseCommand

from territoires.importers.contours import read_features
from territoires.importers.qpv import import_qpv, qpv_spec
from territoires.models import Region

LOCAL_FILES = {"11": "qpv/qpv-2024-ile-de-france.geojson"}


class Command(BaseCommand):
    help = "Importe les QPV 2024 du dossier local PORTAL_GEO_DATA_DIR (données ANCT réelles)."

    def handle(self, *args, **opts):
        for region_code, name in LOCAL_FILES.items():
            path = settings.GEO_DATA_DIR / name
            region = Region.objects.filter(code=region_code).first()
            if not path.is_file() or region is None:
                self.stdout.write(f"{path} absent ou région {region_code} non importée : ignoré.")
                continue
            result = import_qpv(read_features(path), qpv_spec(region), source=path.name)
            if not result.ok:
                self.stderr.write("\n".join(result.error_lines()))
                continue
            self.stdout.write(f"{path.name} : " + " ".join(result.plan.summary()[-2:]))
