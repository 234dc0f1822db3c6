"""Official outlines (IGN Admin Express via Etalab, or the local 2018 files) as `Contour` rows.

Features are matched on `properties.code` (INSEE). The local files date from 2018: a
commune merged since then still appears under its former code. When that code is a
former code or a commune déléguée/associée of a current commune, its outline is merged
into the current commune's one, so that the locator covers the whole commune nouvelle;
codes matching nothing are only reported.
"""

import gzip
import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.utils import timezone
from shapely.geometry import shape

from portal.lib.dataversion import bump
from territoires import locator
from territoires.importers.sync import BATCH_SIZE, Counts
from territoires.models import Commune, CommuneAlias, Contour, Departement, Region

# Etalab "contours administratifs" (Admin Express COG, generalised to 100 m).
ETALAB_URL = "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/latest/geojson/"
DEFAULT_SOURCES = {
    Contour.Niveau.REGION: [ETALAB_URL + "regions-100m.geojson"],
    Contour.Niveau.DEPARTEMENT: [ETALAB_URL + "departements-100m.geojson"],
    Contour.Niveau.COMMUNE: [
        ETALAB_URL + "communes-100m.geojson",
        ETALAB_URL + "arrondissements-municipaux-100m.geojson",
    ],
}
DOWNLOAD_TIMEOUT = 60


class ContourError(Exception):
    """Unreadable source (French message)."""


@dataclass
class ContourReport:
    counts: Counts = field(default_factory=Counts)
    matched: int = 0
    merged: dict[str, list[str]] = field(default_factory=dict)  # current code -> former codes
    unmatched: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def is_url(source: str) -> bool:
    return str(source).startswith(("http://", "https://"))


def read_features(source) -> list[dict]:
    """Features of a GeoJSON FeatureCollection or bare Feature (path or URL, maybe gzipped)."""
    try:
        if is_url(source):
            with urllib.request.urlopen(source, timeout=DOWNLOAD_TIMEOUT) as response:
                raw = response.read()
        else:
            raw = Path(source).read_bytes()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        if is_url(source):
            raise ContourError(
                f"Téléchargement impossible de {source} ({exc}). Vérifiez la connexion "
                "ou donnez le chemin d'un fichier GeoJSON local."
            ) from exc
        raise ContourError(f"Fichier illisible : {source} ({exc}).") from exc
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ContourError(f"{source} n'est pas un fichier GeoJSON valide ({exc}).") from exc
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "FeatureCollection" and isinstance(data.get("features"), list):
        return data["features"]
    if kind == "Feature":
        return [data]
    raise ContourError(f"{source} : ni FeatureCollection ni Feature GeoJSON.")


def _geometry(feature):
    try:
        geom = shape(feature["geometry"])
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError):
        return None
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return None
    return geom


def matching_codes(niveau: str) -> tuple[set[str], dict[str, str]]:
    """Codes a feature may carry at this level, and former codes -> current commune code.

    Computed once per command and passed to `import_contours` for each file.
    """
    if niveau == Contour.Niveau.REGION:
        return set(Region.objects.values_list("code", flat=True)), {}
    if niveau == Contour.Niveau.DEPARTEMENT:
        return set(Departement.objects.values_list("code", flat=True)), {}
    codes = set(Commune.objects.values_list("code", flat=True))
    former = dict(CommuneAlias.objects.values_list("code", "commune__code"))
    return codes, {old: new for old, new in former.items() if old not in codes}


def fingerprint(features: list[dict]) -> str:
    """SHA-256 of the geometries (order-independent), stored as `Contour.empreinte`."""
    digest = hashlib.sha256()
    dumps = (json.dumps(f["geometry"], sort_keys=True, separators=(",", ":")) for f in features)
    for dump in sorted(dumps):
        digest.update(dump.encode())
    return digest.hexdigest()


def import_contours(features: list[dict], niveau: str, source: str, targets=None):
    """Write the outlines that differ from the stored ones; call inside a transaction."""
    report = ContourReport()
    codes, former = targets if targets is not None else matching_codes(niveau)
    parts: dict[str, list] = {}
    for index, feature in enumerate(features):
        feature = feature if isinstance(feature, dict) else {}
        properties = feature.get("properties") or {}
        properties = properties if isinstance(properties, dict) else {}
        code = str(properties.get("code", "")).strip()
        target = code if code in codes else former.get(code)
        if target is None:
            report.unmatched.append(code or f"objet n° {index + 1} sans code")
            continue
        if not isinstance(feature.get("geometry"), dict):
            report.invalid.append(code)
            continue
        parts.setdefault(target, []).append(feature)
        if target == code:
            report.matched += 1
        else:
            report.merged.setdefault(target, []).append(code)

    # Geometries are not read back: the fingerprint tells whether anything changed.
    existing = {
        c.code: c
        for c in Contour.objects.filter(niveau=niveau, code__in=list(parts)).only(
            "id", "code", "source", "empreinte"
        )
    }
    wanted, source = {}, str(source)[:500]
    for code, items in parts.items():
        empreinte = fingerprint(items)
        stored = existing.get(code)
        if stored is not None and (stored.empreinte, stored.source) == (empreinte, source):
            report.counts.unchanged += 1
            continue
        values = _contour_values(items, source)
        if values is None:
            report.invalid.append(code)
            continue
        wanted[code] = {**values, "empreinte": empreinte, "modifie_le": timezone.now()}
    # Changed outlines are replaced (delete + insert): nothing points to a Contour, and
    # bulk_update would build a huge CASE expression per field.
    replaced = [existing[code].pk for code in wanted if code in existing]
    for start in range(0, len(replaced), BATCH_SIZE):
        Contour.objects.filter(pk__in=replaced[start : start + BATCH_SIZE]).only("id").delete()
    Contour.objects.bulk_create(
        [Contour(niveau=niveau, code=code, **values) for code, values in wanted.items()],
        batch_size=BATCH_SIZE,
    )
    report.counts.updated = len(replaced)
    report.counts.created = len(wanted) - len(replaced)
    if wanted:
        bump()  # bulk_create sends no signal
    if niveau == Contour.Niveau.COMMUNE and report.counts.written:
        locator.invalidate_on_commit()
    return report


def _contour_values(features, source):
    """Geometry (merged when several former communes), bbox and an inner point."""
    geoms = [_geometry(feature) for feature in features]
    if any(geom is None for geom in geoms):
        return None
    if len(features) == 1 and geoms[0].is_valid:
        geometrie = features[0]["geometry"]  # kept as published
        geom = geoms[0]
    else:
        geom = shapely.union_all([shapely.make_valid(g) for g in geoms])
        geometrie = json.loads(shapely.to_geojson(geom))
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    point = geom.point_on_surface()
    return {
        "geometrie": geometrie,
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "point_lon": point.x,
        "point_lat": point.y,
        "source": source,
    }
