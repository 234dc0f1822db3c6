"""Optional address search through the Géoplateforme geocoder (settings.GEOCODER_URL).

Off unless settings.GEOCODER_ENABLED: the finder works without it (commune autocomplete,
map click). The service answers a GeoJSON FeatureCollection whose features carry
`properties.citycode` (the arrondissement code in Paris, Lyon, Marseille), `label` and
`score`; the point is `geometry.coordinates` = [lon, lat]. Any failure becomes a French
message, never an exception in the page.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 3
MIN_SCORE = 0.4


@dataclass(frozen=True)
class Adresse:
    label: str
    citycode: str
    lat: float
    lon: float
    score: float


class GeocoderError(Exception):
    """French message for the user."""


def enabled() -> bool:
    return bool(getattr(settings, "GEOCODER_ENABLED", False))


def fetch(query: str) -> dict:
    """Raw answer of the service (replaced by recorded answers in tests)."""
    params = urllib.parse.urlencode({"q": query, "limit": 1, "index": "address"})
    request = urllib.request.Request(
        f"{settings.GEOCODER_URL}?{params}", headers={"Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return json.load(response)


def geocode(query: str) -> Adresse:
    """The best address for `query`, or GeocoderError with a French message."""
    query = (query or "").strip()
    if len(query) < 3:
        raise GeocoderError("Saisissez au moins trois caractères pour l'adresse.")
    try:
        answer = fetch(query[:200])
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        logger.warning("Géocodeur indisponible : %s", exc)
        raise GeocoderError(
            "La recherche d'adresse est momentanément indisponible : indiquez la commune "
            "ou cliquez sur la carte."
        ) from exc
    return parse(answer, query)


def parse(answer: dict, query: str = "") -> Adresse:
    try:
        feature = answer["features"][0]
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        found = Adresse(
            label=str(props.get("label", "")),
            citycode=str(props["citycode"]),
            lat=float(lat),
            lon=float(lon),
            score=float(props.get("score", 0)),
        )
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise GeocoderError(f"Aucune adresse trouvée pour « {query} ».") from exc
    if found.score < MIN_SCORE:
        raise GeocoderError(
            f"Adresse trop incertaine pour « {query} » (meilleure proposition : {found.label})."
        )
    return found
