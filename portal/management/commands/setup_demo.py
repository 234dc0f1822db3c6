"""One command for `./dev.sh run`: schema, official reference data, demonstration data.

Every step is idempotent and quick when there is nothing to do, so running the portal a
second time changes nothing. The régions are those of `PORTAL_REGIONS` (`all`: the whole
of France); the demonstration structures stay in Île-de-France and Grand Est.
"""

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

# (command, arguments): in dependency order. Each owner app keeps its step idempotent.
STEPS = [
    ("migrate", {"interactive": False, "verbosity": 0}),
    ("import_cog", {}),
    ("import_contours_local", {}),
    ("import_qpv_local", {}),
    ("import_zonages_local", {}),  # real zonings; the demonstration fills what they leave
    ("load_demo_zonages", {}),
    ("load_aides", {}),
    ("load_demo", {}),
]


class Command(BaseCommand):
    help = "Prépare la base : migrations, référentiel officiel et données de démonstration."

    def handle(self, *args, **options):
        available = get_commands()
        for name, kwargs in STEPS:
            if name not in available:
                continue
            self.stdout.write(f"==> {name}")
            call_command(name, **kwargs)
        if not settings.GEO_DATA_DIR.is_dir():
            self.stdout.write(
                self.style.WARNING(
                    f"Contours absents ({settings.GEO_DATA_DIR}) : les cartes s'afficheront "
                    "sans contours. Réglez PORTAL_GEO_DATA_DIR pour les charger."
                )
            )
