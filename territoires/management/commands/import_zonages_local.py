"""Step of setup_demo: the real zonings of the local folder settings.ZONAGES_DATA_DIR.

The folder (`PORTAL_ZONAGES_DATA_DIR`, read in place, never copied) holds the CartoSanté
exports of the six professions, the FRR and ZRR lists and the QPV known by commune; each
goes through its own importer, for the régions of `PORTAL_REGIONS` (`all`: every région
imported). Each file is imported in its own transaction: a refused file writes nothing and
leaves its zonings to the demonstration (load_demo_zonages). The importers recognise an
unchanged file by its fingerprint, so a second run reads nothing again.
Without the folder the command says so and does nothing: demonstration zonings then.
"""

import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

CARTOSANTE = "cartosante/*.csv"
FRR = "ruralite/frr-*.csv"
ZRR = "ruralite/zrr-*.csv"
QPV_COMMUNES = "qpv/qpv-*-communes*.geojson"
UP_TO_DATE = "déjà à jour"  # what the importers say of an act whose file is unchanged


def latest(folder: Path, pattern: str) -> Path | None:
    """The last file matching `pattern` (names carry their date: frr-2025-07-10.csv)."""
    found = sorted(folder.glob(pattern))
    return found[-1] if found else None


def imports(folder: Path) -> tuple[list[tuple[str, str, list, dict]], list[str]]:
    """(label, command, arguments, options) of every import, and the files missing."""
    steps, missing = [], []
    exports = sorted(folder.glob(CARTOSANTE))
    if not exports:
        missing.append(CARTOSANTE)
    for path in exports:
        steps.append((path.name, "import_zonage", [str(path)], {"format": "cartosante"}))
    frr, zrr = latest(folder, FRR), latest(folder, ZRR)
    missing += [pattern for pattern, path in ((FRR, frr), (ZRR, zrr)) if path is None]
    rural = {name: str(path) for name, path in (("frr", frr), ("zrr", zrr)) if path}
    if rural:
        names = " + ".join(Path(p).name for p in rural.values())
        steps.append((names, "import_ruralite", [], rural))
    qpv = latest(folder, QPV_COMMUNES)
    if qpv is None:
        missing.append(QPV_COMMUNES)
    else:
        steps.append((qpv.name, "import_qpv_communes", [str(qpv)], {}))
    return steps, missing


def quiet(output: str, verbosity: int) -> list[str]:
    """An importer's lines without the acts it found up to date (one per act and région in a
    national run), but its last line (its summary); everything with -v 2."""
    lines = output.splitlines()
    if verbosity > 1:
        return lines
    return [line for line in lines[:-1] if UP_TO_DATE not in line] + lines[-1:]


class Command(BaseCommand):
    help = (
        "Importe les zonages réels du dossier local PORTAL_ZONAGES_DATA_DIR (exports "
        "CartoSanté des six professions, FRR et ZRR, QPV par commune) pour les régions de "
        "PORTAL_REGIONS ; sans ce dossier, ne fait rien (zonages de démonstration)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="Dossier (par défaut : ZONAGES_DATA_DIR).")

    def handle(self, *args, **options):
        folder = Path(options["dir"] or settings.ZONAGES_DATA_DIR)
        if not folder.is_dir():
            self.stdout.write(
                self.style.WARNING(
                    f"Zonages réels absents ({folder}) : zonages de démonstration. "
                    "Réglez PORTAL_ZONAGES_DATA_DIR pour importer les zonages réels."
                )
            )
            return
        steps, missing = imports(folder)
        for pattern in missing:
            self.stdout.write(self.style.WARNING(f"Aucun fichier {pattern} dans {folder}."))
        available = get_commands()
        refused = []
        for label, command, arguments, kwargs in steps:
            if command not in available:
                self.stdout.write(self.style.WARNING(f"{label} : commande {command} absente."))
                continue
            self.stdout.write(f"— {label}")
            out = io.StringIO()
            try:
                call_command(
                    command,
                    *arguments,
                    **kwargs,
                    verbosity=options["verbosity"],
                    stdout=out,
                    stderr=self.stderr,
                )
            except CommandError as exc:
                # Nothing of this file is written: its zonings stay those of the demonstration.
                refused.append(label)
                self.stderr.write(f"{label} : {exc}")
            for line in quiet(out.getvalue(), options["verbosity"]):
                self.stdout.write(line)
        if refused:
            self.stdout.write(
                self.style.ERROR(
                    f"Fichier(s) refusé(s), rien n'en est écrit : {', '.join(refused)} ; "
                    "leurs zonages restent ceux de démonstration."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Zonages réels ({folder}) : {len(steps)} import(s) à jour.")
            )
