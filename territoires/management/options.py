"""Command-line options shared by the zoning import commands."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from territoires.models import Region, means_all_regions


def add_region_arguments(parser, prefix=""):
    """--regions 11 44 | --all, shared by the zoning import commands."""
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument(
        "--regions",
        nargs="+",
        metavar="CODE",
        help=f"{prefix}codes INSEE des régions (par défaut : PORTAL_REGIONS, soit 11 44).",
    )
    scope.add_argument("--all", action="store_true", help=f"{prefix}toutes les régions.")


def selected_regions(codes, everything) -> list[Region]:
    """The régions asked for (default PORTAL_REGIONS; "all" or --all: every imported one)."""
    codes = codes or settings.DEFAULT_REGIONS
    if everything or means_all_regions(codes):
        regions = list(Region.objects.order_by("code"))
        if not regions:
            raise CommandError("Aucune région importée : lancez d'abord import_cog.")
        return regions
    regions = list(Region.objects.filter(code__in=codes).order_by("code"))
    unknown = sorted(set(codes) - {r.code for r in regions})
    if unknown:
        raise CommandError(
            f"Région(s) inconnue(s) : {', '.join(unknown)} (importez d'abord le COG)."
        )
    return regions


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Fichier illisible : {path} ({exc.strerror or exc}).") from exc
