"""The zonings of one département for one profession (or QPV, rural): map, table, summary.

The map payload is kept small: commune outlines are simplified together (shared borders stay
shared; ≈ 200-300 m, invisible at the scale of a département) and rounded to 3 decimals
(≈ 100 m), features carry two short properties, and folium styles features by category
through one shared style table. `bench/zones.py` measures the payload. The simplified
outlines of a département are kept per process by `territoires.maps.outlines`, checked
against the contours' dates read with the communes (no query of their own).
"""

import json
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from portal.lib.maps import geojson_layer, light_outline, new_map
from portal.lib.numbers import french_number
from territoires import maps as territoires_maps
from territoires.models import Commune, Contour, ZonageKind, Zone
from territoires.zonages.lookup import ZoneMatch, zones_for_communes

TOLERANCE = territoires_maps.TOLERANCE_ZONAGES
# Sequential palette, most to least strained (DSFR illustrative colours), by category code.
COLORS = {
    "zip-plus": "#6e0b14",
    "zip": "#ce0500",
    "zac": "#fa7a35",
    "hors-zonage": "#f6f6f6",
    "tres-sous-dotee": "#6e0b14",
    "sous-dotee": "#ce0500",
    "sous-dense": "#ce0500",
    "zar": "#e4e794",
    "non-disponible": "#929292",
    "intermediaire": "#fcc63a",
    "non-prioritaire": "#e4e794",
    "tres-dotee": "#8ab4e8",
    "sur-dotee": "#2f4077",
    "qpv": "#6a1b9a",
    "frr": "#18753c",
    "frr-plus": "#0b4f2a",
    "frr-beneficiaire": "#95e257",
    "zrr": "#68a532",
}
OTHER_COLORS = ("#a558a0", "#417dc4", "#c3992a", "#009081", "#7d4e5b")
NO_ZONE_COLOR = "#ffffff"


@dataclass
class Ligne:
    nom: str
    code: str
    url: str
    categorie: str
    zone: str
    partiel: bool
    match: ZoneMatch


@dataclass
class Legende:
    code: str
    libelle: str
    couleur: str
    territoires: int = 0
    population: int = 0
    part: float = 0.0


@dataclass
class CarteZonage:
    lignes: list[Ligne] = field(default_factory=list)
    legende: list[Legende] = field(default_factory=list)
    actes: list[ZoneMatch] = field(default_factory=list)  # one match per act, for its source
    features: list[dict] = field(default_factory=list)
    polygones: list[dict] = field(default_factory=list)  # QPV outlines
    territoires: int = 0
    sans_zone: int = 0
    population: int = 0
    bounds: tuple | None = None
    categorie_de: dict[str, str] = field(default_factory=dict)  # territory code → category

    @property
    def demonstration(self) -> bool:
        return any(m.demonstration for m in self.actes)

    def geojson(self) -> dict:
        return {"type": "FeatureCollection", "features": self.features + self.polygones}

    def payload_bytes(self) -> int:
        return len(json.dumps(self.geojson(), separators=(",", ":")).encode())


def short_label(libelle: str) -> str:
    """Tooltip label: "Zone d'action complémentaire (ZAC)" → "ZAC", "Zone sous-dotée" →
    "Sous-dotée"."""
    if libelle.endswith(")") and "(" in libelle:
        return libelle[libelle.rindex("(") + 1 : -1]
    words = libelle.removeprefix("Zone ")
    return words[:1].upper() + words[1:]


def _territories(departement) -> list[Commune]:
    """Communes of the département, Paris replaced by its arrondissements."""
    contour = Contour.objects.filter(niveau=Contour.Niveau.COMMUNE, code=OuterRef("code"))
    communes = list(
        Commune.objects.filter(departement=departement)
        .order_by("nom")
        .only("code", "nom", "population", "type", "parent_id")
        .annotate(contour_modifie_le=Subquery(contour.values("modifie_le")[:1]))
    )
    parents = {c.parent_id for c in communes if c.parent_id}
    return [c for c in communes if c.pk not in parents]


def _selected(matches, choice):
    if choice in (ZonageKind.QPV, ZonageKind.RURAL):
        return [m for m in matches if m.kind == choice]
    return [m for m in matches if m.kind == ZonageKind.ARS and m.profession == choice]


def build(departement, choice: str, date=None) -> CarteZonage:
    """Zones of `choice` (a profession slug, "qpv" or "rural") in the département: 5 queries."""
    carte = CarteZonage()
    territories = _territories(departement)
    if choice in (ZonageKind.QPV, ZonageKind.RURAL):
        zones = zones_for_communes(territories, date=date, kind=choice)
    else:
        zones = zones_for_communes(territories, date=date, kind=ZonageKind.ARS, profession=choice)
    outlines = territoires_maps.outlines(
        Contour.Niveau.COMMUNE,
        [t.code for t in territories],
        TOLERANCE,
        together=True,
        stamps={t.code: t.contour_modifie_le for t in territories if t.contour_modifie_le},
    )
    url_pattern = reverse("territoires:commune", args=["00000"])
    acts, categories, colors = {}, {}, {}
    stats = Counter()
    population = Counter()
    qpv_zones = {}
    for territory in territories:
        matches = _selected(zones.get(territory.code, []), choice)
        carte.territoires += 1
        carte.population += territory.population or 0
        for m in matches:
            acts.setdefault(m.zonage_id, m)
            categories.setdefault(m.categorie, m)
            if m.kind == ZonageKind.QPV:
                qpv_zones.setdefault(m.zone_id, (m, []))[1].append(territory)
                continue
            carte.lignes.append(
                Ligne(
                    territory.nom, territory.code, url_pattern.replace("00000", territory.code),
                    m.categorie_libelle, m.libelle, m.partiel, m,
                )
            )  # fmt: skip
        whole = next((m for m in matches if not m.partiel and m.kind != ZonageKind.QPV), None)
        if whole is None:
            carte.sans_zone += 1
        else:
            stats[whole.categorie] += 1
            population[whole.categorie] += territory.population or 0
        carte.categorie_de[territory.code] = whole.categorie if whole else ""
        if territory.code in outlines.shapes:
            carte.features.append(
                {
                    "type": "Feature",
                    "id": territory.code,
                    "geometry": outlines.shapes[territory.code],
                    "properties": {
                        "nom": territory.nom,
                        "zone": short_label(whole.categorie_libelle) if whole else "Aucune",
                    },
                }
            )
    ordered = sorted(categories.values(), key=lambda m: (m.categorie_ordre, m.categorie))
    for i, m in enumerate(ordered):
        colors[m.categorie] = COLORS.get(m.categorie, OTHER_COLORS[i % len(OTHER_COLORS)])
        carte.legende.append(
            Legende(
                m.categorie, m.categorie_libelle, colors[m.categorie],
                stats[m.categorie], population[m.categorie],
                round(100 * population[m.categorie] / carte.population, 1)
                if carte.population else 0.0,
            )
        )  # fmt: skip
    # An act known only by its export has no date: its export date orders it.
    carte.actes = sorted(
        acts.values(), key=lambda m: (m.zonage_date or m.zonage_date_export, m.zonage_id)
    )
    if qpv_zones:
        _add_qpv(carte, qpv_zones)
    carte.bounds = outlines.bounds
    return carte


def _add_qpv(carte, qpv_zones):
    geometries = dict(Zone.objects.filter(pk__in=list(qpv_zones)).values_list("id", "geometrie"))
    for zone_id, (m, territories) in sorted(qpv_zones.items(), key=lambda i: i[1][0].code):
        names = ", ".join(sorted({t.nom for t in territories}))
        carte.lignes.append(Ligne(names, m.code, "", m.categorie_libelle, m.libelle, False, m))
        geometry = light_outline(geometries.get(zone_id), TOLERANCE)
        if geometry:
            carte.polygones.append(
                {
                    "type": "Feature",
                    "id": m.code,
                    "geometry": geometry,
                    "properties": {"nom": m.libelle, "zone": m.code},
                }
            )
    for item in carte.legende:
        if item.code == "qpv":
            item.territoires = len(qpv_zones)


def folium_map(carte: CarteZonage):
    fmap = new_map(bounds=carte.bounds)
    colors = {item.code: item.couleur for item in carte.legende}
    if carte.features:
        background = bool(carte.polygones)
        features = [
            {
                **f,
                "properties": {
                    **f["properties"],
                    "style": {
                        "fillColor": colors.get(carte.categorie_de.get(f["id"]), NO_ZONE_COLOR)
                    },
                },
            }
            for f in carte.features
        ]
        geojson_layer(
            fmap,
            {"type": "FeatureCollection", "features": features},
            style={"fillOpacity": 0.1 if background else 0.7, "color": "#666666", "weight": 0.5},
            tooltip=[("Commune", "nom"), ("Zone", "zone")],
            name="Communes",
        )
    if carte.polygones:
        geojson_layer(
            fmap,
            {"type": "FeatureCollection", "features": carte.polygones},
            style={
                "fillColor": colors.get("qpv", "#6a1b9a"),
                "fillOpacity": 0.6,
                "color": "#3a0c52",
                "weight": 1,
            },
            tooltip=[("Quartier", "nom"), ("Code", "zone")],
            name="Quartiers prioritaires",
        )
    return fmap


def summary(carte: CarteZonage, departement, choice_label: str) -> list[str]:
    """A few sentences saying what the map shows (the text alternative)."""
    if not carte.actes:
        return [
            f"Aucun zonage « {choice_label} » en vigueur n'est enregistré pour "
            f"{departement.nom} à cette date."
        ]
    lines = []
    if carte.polygones or any(i.code == "qpv" for i in carte.legende):
        count = next((i.territoires for i in carte.legende if i.code == "qpv"), 0)
        lines.append(f"{departement.nom} compte {count} quartier(s) prioritaire(s).")
    else:
        lines.append(
            f"{departement.nom} : {carte.territoires} commune(s) ou arrondissement(s), "
            f"{french_number(carte.population)} habitants."
        )
        for item in carte.legende:
            lines.append(
                f"{item.libelle} : {item.territoires} territoire(s), "
                f"{french_number(item.part, 1)} % de la population."
            )
    partial = {ligne.code for ligne in carte.lignes if ligne.partiel}
    if partial:
        lines.append(
            f"{len(partial)} territoire(s) n'ont qu'une partie (quartier, IRIS) classée : "
            "voir le tableau."
        )
    return lines
