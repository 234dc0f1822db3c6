"""Import of the ANCT priority neighbourhoods (QPV) GeoJSON as one zoning act.

Each feature becomes a zone with its official code (`QN07501M`), name and polygons. Its
communes come from `insee_com` when the file has it, otherwise from the commune names of
`lib_com`/`commune` (the official attachment; names of merged communes resolve to the
commune nouvelle), refined to arrondissements by the outlines for Paris, Lyon, Marseille.
When a name is unknown (renamed commune) or missing, the polygon's overlap with the commune
outlines decides.
Features are numbered from 1 in error messages ("objet n° 12").
"""

import datetime as dt
import json
import re
from collections import defaultdict

import shapely
from shapely.geometry import shape

from territoires.models import Commune, CommuneAlias, Contour, ZonageKind
from territoires.text import normalize_name
from territoires.zonages.categories import QPV
from territoires.zonages.importers.acte import ImportResult, check_spec
from territoires.zonages.importers.sync import (
    ActeSpec,
    WantedCategory,
    WantedZone,
    apply_plan,
    build_plan,
)

DATASET_URL = (
    "https://www.data.gouv.fr/fr/datasets/quartiers-prioritaires-de-la-politique-de-la-ville-qpv/"
)
TITRE_2024 = (
    "Quartiers prioritaires de la politique de la ville 2024 "
    "(décret n° 2023-1314 du 28 décembre 2023)"
)
DATE_2024 = dt.date(2023, 12, 28)
DEBUT_2024 = dt.date(2024, 1, 1)
CODE_PATTERN = re.compile(r"^(QN\d{2}[\dAB]\d{2}[A-Z]|QP\d{2}[\dAB]\d{3})$")
CODE_KEYS = ("code_qp", "code", "code_quartier", "CODE_QP")
NAME_KEYS = ("lib_qp", "nom", "nom_qp", "lib_quartier", "NOM_QP")
INSEE_KEYS = ("insee_com", "code_insee", "insee_code", "INSEE_COM")
COMMUNE_NAME_KEYS = ("lib_com", "commune", "nom_commune", "communes", "LIB_COM")
# Below this share of the QPV's area, an overlap with a commune is a simplification artefact.
MIN_OVERLAP = 0.02


def qpv_spec(region=None, **overrides) -> ActeSpec:
    values = {
        "kind": ZonageKind.QPV,
        "profession": "",
        "region": region,
        "titre": TITRE_2024 + (f" — {region.nom}" if region else ""),
        "editeur": "ANCT",
        "date_acte": DATE_2024,
        "url": DATASET_URL,
        "valide_du": DEBUT_2024,
    }
    values.update({k: v for k, v in overrides.items() if v not in (None, "")})
    return ActeSpec(**values)


def _first(properties, keys) -> str:
    for key in keys:
        value = properties.get(key)
        if value not in (None, ""):
            return value if isinstance(value, list) else str(value).strip()
    return ""


def _split(value) -> list[str]:
    items = value if isinstance(value, list) else re.split(r"[,;]", value or "")
    return [str(item).strip() for item in items if str(item).strip()]


def departement_of(code: str) -> str:
    """QN075…/QN02A… → "75"/"2A"; overseas QN971… → "971"."""
    digits = code[2:5]
    return digits[1:] if digits.startswith("0") else digits


def _geometry(raw):
    try:
        geometry = shape(raw)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError):
        return None
    if geometry.is_empty:
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
        polygons = [g for g in getattr(geometry, "geoms", [geometry]) if g.area > 0]
        geometry = shapely.MultiPolygon(
            [p for g in polygons for p in getattr(g, "geoms", [g]) if p.geom_type == "Polygon"]
        )
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        return None
    return geometry


class _Communes:
    """Commune ids by code, by name (and former names) per département, outlines."""

    def __init__(self, departements):
        rows = Commune.objects.filter(departement__code__in=departements).values_list(
            "id", "code", "nom_normalise", "departement__code", "parent_id", "type"
        )
        self.by_code, self.by_name, self.children = {}, defaultdict(dict), defaultdict(set)
        for pk, code, name, dep, parent_id, kind in rows:
            self.by_code[code] = pk
            if kind == Commune.Type.COMMUNE:
                self.by_name[dep][name] = pk
            else:
                self.children[parent_id].add(pk)
        aliases = CommuneAlias.objects.filter(
            commune__departement__code__in=departements
        ).values_list("nom_normalise", "commune_id", "commune__departement__code")
        for name, pk, dep in aliases:
            if name:
                self.by_name[dep].setdefault(name, pk)
        outlines = Contour.objects.filter(
            niveau=Contour.Niveau.COMMUNE, code__in=list(self.by_code)
        ).values_list("code", "geometrie")
        self.shapes, self.ids = [], []
        for code, raw in outlines:
            geometry = _geometry(raw)
            if geometry is not None:
                self.shapes.append(geometry)
                self.ids.append(self.by_code[code])
        self.tree = shapely.STRtree(self.shapes)

    def by_outline(self, geometry, among=None) -> set[int]:
        found = set()
        for i in self.tree.query(geometry, predicate="intersects"):
            if among is not None and self.ids[i] not in among:
                continue
            if self.shapes[i].intersection(geometry).area >= MIN_OVERLAP * geometry.area:
                found.add(self.ids[i])
        # Paris, Lyon, Marseille: the arrondissements, not the whole city as well.
        return found - {parent for parent, kids in self.children.items() if kids & found}

    def by_names(self, names, departement, geometry) -> set[int] | None:
        """None when a name is unknown (renamed commune…): the outlines decide then."""
        found = set()
        for name in names:
            pk = self.by_name[departement].get(normalize_name(name))
            if pk is None:
                return None
            kids = self.children.get(pk)
            found |= (self.by_outline(geometry, among=kids) if kids else set()) or {pk}
        return found


def _communes_of(props, geometry, departement, communes, warnings, label) -> set[int]:
    """Official attachments first (INSEE codes, then names: ANCT's list, merged communes
    resolved through their former names); the outlines when names are missing or unknown."""
    codes = _split(_first(props, INSEE_KEYS))
    if codes:
        for code in codes:
            if code not in communes.by_code:
                warnings.append(f"{label} : commune {code} inconnue du référentiel, ignorée.")
        return {communes.by_code[c] for c in codes if c in communes.by_code}
    names = _split(_first(props, COMMUNE_NAME_KEYS))
    found = communes.by_names(names, departement, geometry) if names else None
    if found:
        return found
    found = communes.by_outline(geometry)
    if not found:
        written = ", ".join(names) or "aucune commune indiquée"
        warnings.append(f"{label} : commune introuvable ({written}) par son nom ou son contour.")
    return found


def plan_qpv(features: list, spec: ActeSpec) -> ImportResult:
    result = ImportResult()
    result.errors += check_spec(spec)
    region_deps = (
        set(spec.region.departements.values_list("code", flat=True)) if spec.region else None
    )
    parsed, seen, outside = [], {}, 0
    for number, feature in enumerate(features, start=1):
        feature = feature if isinstance(feature, dict) else {}
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        code = str(_first(props, CODE_KEYS)).upper()
        label = f"Objet n° {number}" + (f" ({code})" if code else "")
        if not CODE_PATTERN.match(code):
            result.errors.append(f"{label} : code QPV absent ou invalide (attendu : QN07501M).")
            continue
        if code in seen:
            result.errors.append(f"{label} : code {code} déjà présent (objet n° {seen[code]}).")
            continue
        seen[code] = number
        departement = departement_of(code)
        if region_deps is not None and departement not in region_deps:
            outside += 1
            continue
        geometry = _geometry(feature.get("geometry"))
        if geometry is None:
            result.errors.append(f"{label} : géométrie absente ou qui n'est pas un polygone.")
            continue
        parsed.append((label, code, str(_first(props, NAME_KEYS)), departement, props, geometry))
    if outside:
        result.warnings.append(f"{outside} QPV hors de la région {spec.region.nom} ignoré(s).")
    if not parsed and not result.errors:
        result.errors.append("Le fichier ne contient aucun quartier prioritaire à importer.")
    if result.errors:
        return result
    communes = _Communes({p[3] for p in parsed})
    zones = []
    for label, code, name, departement, props, geometry in parsed:
        perimetre = _communes_of(props, geometry, departement, communes, result.warnings, label)
        zones.append(
            WantedZone(
                categorie=QPV.code,
                code=code,
                libelle=name or code,
                geometrie=json.loads(shapely.to_geojson(geometry)),
                perimetre={(pk, "") for pk in perimetre},
            )
        )
    category = WantedCategory.known(QPV)
    result.plan = build_plan(spec, [category], zones)
    return result


def import_qpv(features, spec, *, dry_run=False, user=None, source="") -> ImportResult:
    result = plan_qpv(features, spec)
    result.dry_run = dry_run
    if result.ok and not dry_run and result.plan.has_changes:
        result.zonage = apply_plan(result.plan, user=user, reason=f"Import QPV {source}".strip())
    elif result.plan:
        result.zonage = result.plan.zonage
    return result
