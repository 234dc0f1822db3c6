"""Amounts: how an aid's amount reads, how it compares, and the scale simulator.

The simulator measures the distance between two communes from their representative
points (`territoires.Contour.point_lat/lon`, an interior point of the official outline).
When a commune has no contour loaded, the three Grand Est faculty towns fall back to the
coordinates of their town hall (`FALLBACK_POINTS`); any other commune without a contour
gets a French message instead of a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aides.choices import NatureMontant
from portal.lib.numbers import euros
from territoires.models import Contour

EARTH_RADIUS_KM = 6371.0

# Town halls of the faculty towns of the Grand Est interns' aid (WGS84), used only when
# the commune's contour is not loaded.
FALLBACK_POINTS = {
    "67482": (48.5835, 7.7479),  # Strasbourg
    "54395": (48.6936, 6.1846),  # Nancy
    "51454": (49.2577, 4.0317),  # Reims
}


def format_montant(aide) -> str:
    """One line for cards and the API ("jusqu'à 15 000 €", "1 200 € par mois"…)."""
    if aide.montant_texte:
        return aide.montant_texte
    low, high = aide.montant_min, aide.montant_max
    nature = aide.nature_montant
    if nature == NatureMontant.NON_FINANCIERE:
        return "aide non financière"
    if nature == NatureMontant.FOURCHETTE and low is not None and high is not None:
        return f"de {euros(low)} à {euros(high)}"
    if nature == NatureMontant.BAREME:
        if low is not None and high is not None:
            return f"de {euros(low)} à {euros(high)} selon le barème"
        return "selon le barème"
    value = high if high is not None else low
    if value is None:
        return f"{aide.taux} %" if aide.taux else "montant non précisé"
    text = euros(value)
    if nature == NatureMontant.PLAFOND:
        text = f"jusqu'à {text}"
    elif nature == NatureMontant.PAR_MOIS:
        text = f"{text} par mois"
    elif nature == NatureMontant.PAR_AN:
        text = f"{text} par an"
    if aide.taux and nature == NatureMontant.PLAFOND:
        text = f"{aide.taux} % de la dépense, {text}"
    return text


def annual_amount(aide) -> int:
    """A comparable yearly figure for sorting by amount (0 when none is known)."""
    value = aide.montant_max or aide.montant_min or 0
    if aide.nature_montant == NatureMontant.PAR_MOIS:
        return value * 12
    return value


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def points_of(codes) -> dict[str, tuple[float, float]]:
    """Representative (lat, lon) of communes by INSEE code, in one query."""
    rows = Contour.objects.filter(niveau=Contour.Niveau.COMMUNE, code__in=list(codes))
    found = {
        code: (lat, lon) for code, lat, lon in rows.values_list("code", "point_lat", "point_lon")
    }
    for code in codes:
        if code not in found and code in FALLBACK_POINTS:
            found[code] = FALLBACK_POINTS[code]
    return found


@dataclass(frozen=True)
class Simulation:
    distance_km: float
    montant: int | None
    palier: object | None

    @property
    def distance_arrondie(self) -> int:
        return round(self.distance_km)


class SimulationError(ValueError):
    """A French message for the simulator form."""


def simulate(bareme, origine, destination) -> Simulation:
    """Amount of `bareme` for a stay at `destination`, measured from `origine` (Communes)."""
    origin_code = origine.parent.code if origine.parent_id else origine.code
    points = points_of({origin_code, destination.code})
    if destination.code not in points:
        raise SimulationError(
            f"La position de {destination.nom} n'est pas connue (contour non chargé) : "
            "la distance ne peut pas être calculée."
        )
    if origin_code not in points:
        raise SimulationError(f"La position de {origine.nom} n'est pas connue.")
    distance = haversine_km(*points[origin_code], *points[destination.code])
    palier = step_for(bareme, distance)
    return Simulation(distance, palier.montant if palier else None, palier)


def step_for(bareme, distance_km: float):
    for palier in bareme.paliers.all():
        if distance_km >= palier.de and (palier.a is None or distance_km < palier.a):
            return palier
    return None
