"""The 2024 QPV known by commune only (ANCT's list of communes holding a quartier prioritaire),
for the régions whose QPV perimeters are not loaded.

The file has one Point per commune (its centroid, not a perimeter) with `insee_com` and the
comma-joined `code_qp`/`lib_qp` of its QPV. Each QPV becomes a zone over its communes, every
link `partiel`: the commune holds the quartier, the address decides. A région where a QPV act
with polygons already covers communes (Île-de-France from `import_qpv_local`) keeps its
perimeters and is left alone; this is read from the database, not from a list of régions.
Features are numbered from 1 in error messages ("objet n° 12").
"""

from territoires.importers.qpv import CODE_PATTERN, qpv_spec
from territoires.models import Region, ZonageKind, Zone
from territoires.zonages.categories import QPV
from territoires.zonages.importers.acte import ImportResult, check_spec
from territoires.zonages.importers.ruralite import RegionCommunes, fingerprint
from territoires.zonages.importers.sync import ActeSpec, WantedCategory, WantedZone, build_plan

TITRE = "Quartiers prioritaires 2024 — liste par commune (ANCT)"


def regions_with_perimeters(regions) -> set[int]:
    """Ids of the régions (among `regions`) with communes covered by QPV polygons (1 query)."""
    return set(
        Zone.objects.filter(
            zonage__kind=ZonageKind.QPV,
            geometrie__isnull=False,
            perimetre__commune__region__in=regions,
        )
        .values_list("perimetre__commune__region_id", flat=True)
        .distinct()
    )


def communes_spec(region: Region, filename: str = "", empreinte: str = "") -> ActeSpec:
    """The 2024 décret, as the polygon import records it, known here by commune."""
    source = "ANCT (SIG Ville 2024), communes comptant un quartier prioritaire"
    if filename:
        source += f", fichier « {filename[:60]} »"
    return qpv_spec(region, titre=TITRE, source=source, empreinte=empreinte)


def _split(value) -> list[str]:
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


def read_quartiers(features, errors) -> list[tuple[str, str, str, str]]:
    """[(label, commune code, QPV code, QPV name)] of the whole file; errors per object."""
    quartiers = []
    if not features:
        errors.append("Le fichier ne contient aucune commune à quartier prioritaire.")
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        commune = str(props.get("insee_com") or "").strip().upper()
        label = f"Objet n° {number}" + (f" ({commune[:10]})" if commune else "")
        codes, names = _split(props.get("code_qp")), _split(props.get("lib_qp"))
        if not RegionCommunes.is_code(commune):
            errors.append(f"{label} : code commune « insee_com » absent ou invalide.")
            continue
        bad = [code for code in codes if not CODE_PATTERN.match(code.upper())]
        if not codes or bad:
            shown = (bad[0] if bad else "")[:20]
            errors.append(
                f"{label} : code QPV « {shown} » absent ou invalide (attendu : QN06708I)."
            )
            continue
        if len(names) != len(codes):
            errors.append(
                f"{label} : {len(codes)} code(s) QPV mais {len(names)} nom(s) dans « lib_qp »."
            )
            continue
        quartiers += [
            (label, commune, code.upper(), name) for code, name in zip(codes, names, strict=True)
        ]
    return quartiers


def plan_region(quartiers, spec: ActeSpec, communes: RegionCommunes) -> ImportResult:
    """The per-commune QPV act of one région, compared with the database (writes nothing)."""
    result = ImportResult()
    result.errors += check_spec(spec)
    zones, unknown = {}, set()
    for _label, commune, code, name in quartiers:
        if not communes.covers(commune):
            continue
        targets = communes.resolve(commune)
        if not targets:
            unknown.add(commune)
            continue
        zone = zones.setdefault(
            code, WantedZone(categorie=QPV.code, code=code, libelle=name, partiel=True)
        )
        zone.perimetre |= {(pk, "") for pk in targets}
    if unknown:
        result.warnings.append(
            f"{spec.region.nom} : commune(s) inconnue(s) du COG, ignorée(s) : "
            f"{', '.join(sorted(unknown))}."
        )
    if not zones:
        return result  # no QPV in this région: no act
    category = WantedCategory.known(QPV)
    result.plan = build_plan(spec, [category], zones.values())
    return result


def region_fingerprint(content: bytes, region: Region) -> str:
    return fingerprint(content, [region.code])
