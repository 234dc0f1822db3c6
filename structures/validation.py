"""Checks shared by the admin forms, the imports and the dashboard.

They raise French `ValidationError`s with a `code`, keyed by field so that a form shows
them next to the input and an import reports them on the row.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

# Contours are simplified (about 25 %, coordinates to ~1 m): a point this close to the
# commune's outline is accepted even if the simplified outline leaves it just outside.
TOLERANCE_METRES = 150


def locate(lat, lon):
    """The commune (arrondissement in Paris) containing the point, or None."""
    from territoires.locator import locate as _locate

    return _locate(lat, lon)


def _matches(commune, codes) -> bool:
    """Does the located place agree with the commune typed by the agent?"""
    if commune.parent_id is None:
        return codes.commune == commune.code
    if codes.arrondissement is not None:
        return codes.arrondissement == commune.code
    return codes.commune == commune.parent.code  # no arrondissement outlines loaded


def _near_outline(commune, lat, lon) -> bool:
    from shapely.geometry import Point, shape

    from territoires.models import Contour

    contour = Contour.objects.filter(niveau=Contour.Niveau.COMMUNE, code=commune.code).first()
    if contour is None:
        return False
    # ~1° of latitude = 111 km; good enough for a tolerance of a few hundred metres.
    return shape(contour.geometrie).distance(Point(lon, lat)) * 111_000 <= TOLERANCE_METRES


def has_contour(commune) -> bool:
    from territoires.models import Contour

    return Contour.objects.filter(niveau=Contour.Niveau.COMMUNE, code=commune.code).exists()


def point_problem(commune, lat, lon) -> str | None:
    """Why the point does not lie in the commune, or None when it does (or cannot be told)."""
    if commune is None or lat is None or lon is None:
        return None
    from territoires.locator import locate_codes

    codes = locate_codes(lat, lon)
    if codes is not None:
        if _matches(commune, codes) or _near_outline(commune, lat, lon):
            return None
        found = locate(lat, lon)
        where = f"{found.nom} ({found.code})" if found else codes.commune
        return (
            f"Le point ({lat:.5f}, {lon:.5f}) se trouve à {where}, "
            f"pas à {commune.nom} ({commune.code}) : déplacez le point ou corrigez la commune."
        )
    if not has_contour(commune):
        return None  # contours not loaded: nothing to check against
    if _near_outline(commune, lat, lon):
        return None
    return (
        f"Le point ({lat:.5f}, {lon:.5f}) ne se trouve dans aucune commune connue, "
        f"et pas à {commune.nom} ({commune.code}) : déplacez le point."
    )


def check_location(obj) -> None:
    """Model-level checks of a `Lieu` (see structures.models)."""
    errors = {}
    lat, lon = obj.latitude, obj.longitude
    if (lat is None) != (lon is None):
        field = "longitude" if lon is None else "latitude"
        errors[field] = ValidationError(
            "Indiquez la latitude et la longitude, ou aucune des deux.", code="point_incomplet"
        )
    commune = obj.commune if obj.commune_id else None
    if commune is None and not obj.region_id:
        errors["commune"] = ValidationError(
            "Indiquez la commune (ou, pour un réseau régional, la région).",
            code="lieu_manquant",
        )
    if commune is None and lat is not None and lon is not None:
        errors["commune"] = ValidationError(
            "Indiquez la commune où se trouve le point.", code="commune_manquante"
        )
    if not errors and commune is not None:
        problem = point_problem(commune, lat, lon)
        if problem:
            errors["latitude"] = ValidationError(problem, code="point_hors_commune")
    if errors:
        raise ValidationError(errors)
