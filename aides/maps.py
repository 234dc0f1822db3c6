"""Maps of the aid pages: the finder's point picker and "where does this aid apply?".

Both are folium maps rendered by `portal.lib.maps` (local Leaflet, CSP nonce). The zones map
shows one département at a time: the communes where the aid's zoning conditions hold
(whole commune, or part of it: QPV, IRIS, arrondissement) and the QPV outlines, with the
same information as a table for those who cannot use the map.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from django.utils import timezone
from jinja2 import Template
from shapely.geometry import mapping, shape

from aides.eligibility import Lieu, zoning_reasons
from portal.lib.maps import (
    DataLayer,
    MapParts,
    StaticElement,
    geojson_layer,
    light_outline,
    new_map,
    render_constant,
    render_map,
)
from territoires.models import Commune, Contour, Departement, ZonageKind, Zone
from territoires.zonages.lookup import zones_at

FULL_STYLE = {"color": "#000091", "weight": 1, "fillColor": "#6a6af4", "fillOpacity": 0.45}
PARTIAL_STYLE = {
    "color": "#b34000", "weight": 1, "fillColor": "#fc5d00", "fillOpacity": 0.25,
    "dashArray": "4",
}  # fmt: skip
QPV_STYLE = {"color": "#b34000", "weight": 2, "fillColor": "#fc5d00", "fillOpacity": 0.5}
OUTLINE_STYLE = {"color": "#3a3a3a", "weight": 2, "fill": False}
REGION_BOUNDS = (1.4, 47.4, 8.3, 50.2)  # Île-de-France + Grand Est
# About 100 m: plenty for a département-wide map, and it divides the page weight by ~5.
TOLERANCE = 0.001


class _ClickToPick(StaticElement):
    """A click on the map fills the finder's latitude/longitude fields and marks the point."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var marker = null;
            map.on("click", function (event) {
                var lat = document.getElementById("id_lat");
                var lon = document.getElementById("id_lon");
                if (!lat || !lon) { return; }
                lat.value = event.latlng.lat.toFixed(6);
                lon.value = event.latlng.lng.toFixed(6);
                if (marker) { marker.setLatLng(event.latlng); }
                else { marker = L.marker(event.latlng).addTo(map); }
                var status = document.getElementById("point-choisi");
                if (status) {
                    status.textContent = "Point choisi : " + lat.value + ", " + lon.value +
                        ". Lancez la recherche pour voir les aides à cet endroit.";
                }
            });
        })();
        {% endmacro %}
        """
    )


def point_picker(request, lieu: Lieu) -> MapParts:
    """Centred on the point searched, else the whole map (the same for every commune:
    rendered once per process)."""
    if not lieu.point:
        return render_constant("aides:point-picker", _whole_picker, request)
    fmap = new_map(location=(lieu.lat, lieu.lon), zoom_start=13)
    DataLayer(
        {"type": "point", "lat": lieu.lat, "lon": lieu.lon, "tooltip": "Point recherché"}
    ).add_to(fmap)
    _ClickToPick().add_to(fmap)
    return render_map(fmap, request)


def _whole_picker():
    fmap = new_map(bounds=REGION_BOUNDS)
    _ClickToPick().add_to(fmap)
    return fmap


@dataclass
class LigneZone:
    commune: Commune
    raisons: list
    partiel: bool


@dataclass
class ZonesAide:
    departement: Departement | None
    departements: list[Departement]
    lignes: list[LigneZone] = field(default_factory=list)
    qpv: list[Zone] = field(default_factory=list)
    carte: MapParts | None = None
    demonstration: bool = False


def zones_of_aide(request, aide, conditions, date=None) -> ZonesAide:
    """Where `aide`'s zoning conditions hold in one département (?departement=XX)."""
    date = date or timezone.localdate()
    departements = _departements_for(aide)
    wanted = request.GET.get("departement", "")
    departement = next((d for d in departements if d.code == wanted), None)
    if departement is None and departements:
        departement = departements[0]
    result = ZonesAide(departement, departements)
    if departement is None:
        return result
    communes = list(
        Commune.objects.filter(departement=departement)
        .exclude(arrondissements__isnull=False)
        .select_related("parent")
        .order_by("code")
        .distinct()
    )
    # The in-memory index answers each commune without a query once warm.
    zones = {commune.code: zones_at(commune=commune.code, date=date) for commune in communes}
    for commune in communes:
        matches = zones[commune.code]
        raisons = zoning_reasons(conditions, Lieu(commune=commune), matches, None, aide.professions)
        if raisons:
            partiel = all(r.partiel for r in raisons)
            result.lignes.append(LigneZone(commune, raisons, partiel))
            result.demonstration |= any(r.demonstration for r in raisons)
    if any("qpv" in c.codes for c in conditions):
        ids = {m.zone_id for ms in zones.values() for m in ms if m.kind == ZonageKind.QPV}
        result.qpv = list(
            Zone.objects.filter(id__in=ids, geometrie__isnull=False).order_by("libelle")
        )
    result.carte = _render(request, departement, result)
    return result


def _departements_for(aide) -> list[Departement]:
    queryset = Departement.objects.order_by("code")
    regions = [pk for pk, _ in aide.rel.regions]
    deps = [pk for pk, _, _ in aide.rel.departements]
    communes = [pk for pk, _ in aide.rel.communes]
    if communes:
        deps += Commune.objects.filter(pk__in=communes).values_list("departement_id", flat=True)
    if deps:
        return list(queryset.filter(pk__in=deps))
    if regions:
        return list(queryset.filter(region__in=regions))
    return list(queryset.filter(region__code__in=["11", "44"]))


def _render(request, departement, result: ZonesAide) -> MapParts:
    codes = [ligne.commune.code for ligne in result.lignes]
    contours = dict(
        Contour.objects.filter(niveau=Contour.Niveau.COMMUNE, code__in=codes).values_list(
            "code", "geometrie"
        )
    )
    outline = Contour.objects.filter(
        niveau=Contour.Niveau.DEPARTEMENT, code=departement.code
    ).first()
    fmap = new_map(bounds=outline.bbox if outline else REGION_BOUNDS)
    if outline is not None:
        geojson_layer(fmap, outline.geometrie, style=OUTLINE_STYLE, name=departement.nom)
    # One dissolved shape per extent (whole commune / part of it): shared borders vanish,
    # which keeps a département of 500 communes light; the table lists them one by one.
    for partiel, style, label in (
        (False, FULL_STYLE, "Toute la commune"),
        (True, PARTIAL_STYLE, "Une partie de la commune"),
    ):
        shapes = [
            contours[ligne.commune.code]
            for ligne in result.lignes
            if ligne.partiel == partiel and ligne.commune.code in contours
        ]
        geometry = _dissolve(shapes)
        if geometry is not None:
            geojson_layer(
                fmap,
                {"type": "Feature", "geometry": geometry, "properties": {"etendue": label}},
                style=style,
                tooltip=[("", "etendue")],
                name=f"L'aide s'applique : {label.lower()}",
            )
    qpv = [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {"nom": f"QPV {zone.libelle}", "code": zone.code},
        }
        for zone in result.qpv
        if (geometry := light_outline(zone.geometrie, TOLERANCE))
    ]
    if qpv:
        geojson_layer(
            fmap,
            {"type": "FeatureCollection", "features": qpv},
            style=QPV_STYLE,
            tooltip=[("", "nom"), ("", "code")],
            name="Quartiers prioritaires",
        )
    return render_map(fmap, request)


def _dissolve(geometries):
    """Union of GeoJSON geometries, simplified and rounded; None if empty."""
    shapes = []
    for geometry in geometries:
        try:
            shapes.append(shape(geometry))
        except (TypeError, ValueError, AttributeError, shapely.errors.ShapelyError):
            continue
    if not shapes:
        return None
    # Commune outlines form a coverage (no overlaps): its union is ~20 times faster.
    union = shapely.coverage_union_all(shapes)
    if not union.is_valid:
        union = shapely.union_all(shapely.make_valid(shapes))
    return light_outline(mapping(union), TOLERANCE)
