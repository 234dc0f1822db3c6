"""The maps of supported structures: régional (choropleth + markers) and départemental.

Each map comes with what RGAA asks for: the same data as table rows (`lignes`, and the
départements' figures) and a text summary. The number of queries does not depend on the
number of structures (two for the markers and the table rows; a département's rows are
kept per process and data version, a filter reads their ids).

The page declares the map; its layers are GeoJSON documents of their own (`*_layer`,
served by structures.views at /carte/couches/<version>/<code>/…), one set per département
and shared by both maps: the régional map's markers are the layers of its départements,
so its page weighs the same whatever the number of structures.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Min
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from portal.lib import dataversion
from portal.lib.maps import (
    JSON_ESCAPES,
    MapParts,
    canonical_query,
    layer_version,
    light_outline,
    new_map,
    render_constant,
    render_map,
)
from portal.lib.numbers import french_number
from structures.filters import StructureFilter
from structures.models import Structure
from structures.stats import per_100k, population_by_departement
from territoires import maps as territoires_maps
from territoires.models import Commune, Contour, Departement, ZonageKind, Zone
from territoires.zonages.lookup import zones_at, zones_for_communes

FRANCE_BOUNDS = (1.4, 47.4, 8.3, 50.2)  # Île-de-France + Grand Est


@dataclass(frozen=True)
class LigneCarte:
    """A published structure as the public sees it: never a person, never an address."""

    pk: int
    nom: str
    type_libelle: str
    statut_libelle: str
    commune: str
    commune_code: str
    departement: str
    aides: tuple[str, ...]
    annee: int | None
    latitude: float | None
    longitude: float | None
    en_qpv: bool
    en_zone_rurale: bool
    demonstration: bool


def lignes(queryset) -> list[LigneCarte]:
    """Rows of published structures for markers and tables (2 queries)."""
    rows = list(
        queryset.order_by("departement__code", "commune__nom", "nom", "pk").values(
            "pk",
            "nom",
            "type",
            "statut",
            "commune__nom",
            "commune__code",
            "departement__code",
            "date_decision",
            "latitude",
            "longitude",
            "en_qpv",
            "en_zone_rurale",
            "demonstration",
        )
    )
    aides = defaultdict(list)
    # A subquery, not a list of ids: no parameter limit whatever the number of structures.
    through = Structure.aides.through.objects.filter(structure_id__in=queryset.values("pk"))
    for structure_id, nom in through.order_by("aide__nom").values_list("structure_id", "aide__nom"):
        aides[structure_id].append(nom)
    kinds = dict(Structure._meta.get_field("type").choices)
    statuts = dict(Structure._meta.get_field("statut").choices)
    return [
        LigneCarte(
            pk=r["pk"],
            nom=r["nom"],
            type_libelle=kinds.get(r["type"], r["type"]),
            statut_libelle=statuts.get(r["statut"], r["statut"]),
            commune=r["commune__nom"] or "",
            commune_code=r["commune__code"] or "",
            departement=r["departement__code"] or "",
            aides=tuple(aides.get(r["pk"], ())),
            annee=r["date_decision"].year if r["date_decision"] else None,
            latitude=r["latitude"],
            longitude=r["longitude"],
            en_qpv=r["en_qpv"],
            en_zone_rurale=r["en_zone_rurale"],
            demonstration=r["demonstration"],
        )
        for r in rows
    ]


# What the map pages read of a département for each filter, per process and data version:
# the rows of its published structures, its communes' names, the QPV in force. Else every
# page asked for them again: two queries and 3 ms of ORM for the rows, a cache round trip
# for the names.
_kept: dict[tuple, object] = {}


def forget() -> None:
    """Tests: a rolled-back transaction can bring an earlier data version back."""
    _kept.clear()


def _per_departement(what: str, departement, build, *more):
    """`build()`, kept under the data version for the département (and `more`)."""
    version = dataversion.current()
    key = (version, what, departement.pk, *more)
    if key not in _kept:
        if any(kept[0] != version for kept in _kept):
            _kept.clear()
        _kept[key] = build()
    return _kept[key]


def lignes_departement(departement, queryset) -> list[LigneCarte]:
    """The rows of `queryset` (published structures, filtered) in the département, in the
    order of `lignes` (one query once its rows are kept: their ids)."""
    published = Structure.objects.published().filter(departement=departement)
    rows = _per_departement("lignes", departement, lambda: lignes(published))
    ids = set(queryset.filter(departement=departement).values_list("pk", flat=True))
    return [row for row in rows if row.pk in ids]


def rangees(lignes, departement=None) -> list[SafeString]:
    """The rows of the table of `lignes` (a page of it), as drawn by
    structures/partials/ligne_structure.html; a département's drawn once per structure for
    every filter and page (kept per process and data version)."""
    template = get_template("structures/partials/ligne_structure.html")
    kept = _per_departement("rangees", departement, dict) if departement else {}
    drawn = []
    for ligne in lignes:
        html = kept.get(ligne.pk)
        if html is None:
            html = kept[ligne.pk] = template.render({"ligne": ligne})
        drawn.append(html)
    return drawn


@dataclass(frozen=True)
class LigneChoropleth:
    code: str
    nom: str
    structures: int
    population: int | None
    taux: float | None
    couleur: str
    url: str


@dataclass
class CarteRegionale:
    lignes: list[LigneCarte]
    departements: list[LigneChoropleth]
    classes: list[territoires_maps.Classe]
    carte: MapParts
    resume: list[str] = field(default_factory=list)

    @property
    def localisees(self) -> int:
        return sum(1 for ligne in self.lignes if ligne.latitude is not None)

    @property
    def demonstration(self) -> bool:
        return any(ligne.demonstration for ligne in self.lignes)

    @property
    def sans_population(self) -> bool:
        return any(d.population is None for d in self.departements)


def carte_regionale(request, region, mesure: str, queryset) -> CarteRegionale:
    rows = lignes(queryset.filter(region=region))
    departements = list(Departement.objects.filter(region=region).order_by("code"))
    population = population_by_departement(departements)
    counts = Counter(ligne.departement for ligne in rows)
    values = {}
    for dep in departements:
        count = counts.get(dep.code, 0)
        values[dep.code] = count if mesure == "nombre" else per_100k(count, population.get(dep.pk))
    bins = territoires_maps.classes(values.values())
    table = [
        LigneChoropleth(
            dep.code,
            dep.nom,
            counts.get(dep.code, 0),
            population.get(dep.pk),
            per_100k(counts.get(dep.code, 0), population.get(dep.pk)),
            territoires_maps.colour(values[dep.code], bins),
            dep.get_absolute_url(),
        )
        for dep in departements
    ]
    bounds = _bounds(Contour.Niveau.DEPARTEMENT, values.keys())
    fmap = new_map(bounds=bounds or FRANCE_BOUNDS, maxZoom=territoires_maps.MAX_ZOOM)
    version = layer_version()
    territoires_maps.choropleth(
        fmap,
        layer_url("departements", version, region.code),
        {line.code: (line.couleur, _tooltip(line, mesure)) for line in table},
        name="Départements",
    )
    located = sorted({r.departement for r in rows if r.departement and r.latitude is not None})
    query = filter_query(request)
    territoires_maps.structure_markers(
        fmap, [layer_url("structures", version, code, query) for code in located]
    )
    result = CarteRegionale(rows, table, bins, render_map(fmap, request))
    result.resume = _resume_regional(region, result)
    return result


def filter_query(request) -> str:
    """The structure filters of the request, canonical: the markers layer's query string."""
    return canonical_query(request, StructureFilter.base_filters)


def layer_url(layer: str, version: str, code: str, query: str = "") -> str:
    """The URL of one of the map layers (structures.urls: couche_<layer>)."""
    url = reverse(f"structures:couche_{layer}", args=[version, code])
    return f"{url}?{query}" if query else url


def _bounds(niveau: str, codes) -> tuple[float, float, float, float] | None:
    """The box around the contours of `codes` (one query, no geometry read)."""
    box = Contour.objects.filter(niveau=niveau, code__in=list(codes)).aggregate(
        Min("min_lon"), Min("min_lat"), Max("max_lon"), Max("max_lat")
    )
    values = (box["min_lon__min"], box["min_lat__min"], box["max_lon__max"], box["max_lat__max"])
    return None if None in values else values


def _tooltip(line: LigneChoropleth, mesure: str) -> str:
    text = f"{line.nom} ({line.code}) : {line.structures} structure{'s' * (line.structures > 1)}"
    if line.taux is not None:
        text += f", {french_number(line.taux, 2, trim=True)} pour 100 000 habitants"
    return text


def _resume_regional(region, carte: CarteRegionale) -> list[str]:
    total = len(carte.lignes)
    if not total:
        return [f"Aucune structure soutenue publiée en {region.nom} pour ces critères."]
    sentences = [
        f"{total} structure{'s' * (total > 1)} soutenue{'s' * (total > 1)} en {region.nom}, "
        f"dont {carte.localisees} placée{'s' * (carte.localisees > 1)} sur la carte."
    ]
    ranked = [d for d in carte.departements if d.structures]
    if ranked:
        top = max(ranked, key=lambda d: (d.structures, d.code))
        sentences.append(f"Le département qui en compte le plus : {top.nom} ({top.structures}).")
        with_rate = [d for d in ranked if d.taux is not None]
        if with_rate:
            best = max(with_rate, key=lambda d: (d.taux, d.code))
            sentences.append(
                f"Rapporté à la population : {best.nom}, avec "
                f"{french_number(best.taux, 2, trim=True)} "
                "structures pour 100 000 habitants."
            )
    qpv = sum(ligne.en_qpv for ligne in carte.lignes)
    rurale = sum(ligne.en_zone_rurale for ligne in carte.lignes)
    sentences.append(f"{qpv} en quartier prioritaire, {rurale} en zone rurale.")
    return sentences


@dataclass
class CarteDepartement:
    departement: Departement
    lignes: list[LigneCarte]
    qpv: list[tuple[str, str]]
    par_commune: list[tuple[str, int]]
    carte: MapParts
    resume: list[str] = field(default_factory=list)

    @property
    def demonstration(self) -> bool:
        return any(ligne.demonstration for ligne in self.lignes)


def _communes(departement) -> dict[str, str]:
    """{code: name} of the communes drawn: Paris as its 20 arrondissements."""
    return _per_departement(
        "communes",
        departement,
        lambda: dict(
            Commune.objects.filter(departement=departement)
            .exclude(arrondissements__isnull=False)
            .order_by("code")
            .values_list("code", "nom")
            .distinct()
        ),
    )


def _qpv(codes, date=None):
    """The QPV in force in these communes (a queryset: the page reads names, the layer
    geometries)."""
    matches = zones_for_communes(list(codes), date=date or timezone.localdate())
    ids = {m.zone_id for ms in matches.values() for m in ms if m.kind == ZonageKind.QPV}
    return Zone.objects.filter(id__in=ids).order_by("libelle", "code")


def _qpv_names(departement) -> list[tuple[str, str]]:
    """(code, name) of the QPV in force today in the département, ordered by name: from the
    zone index's answers for its communes (no query, milliseconds for 600 communes; read
    from the database, their zones cost 130 ms)."""
    today = timezone.localdate()

    def build():
        rows = (zones_at(commune=code, date=today) for code in _communes(departement))
        found = {(m.libelle, m.code) for ms in rows for m in ms if m.kind == ZonageKind.QPV}
        return [(code, libelle) for libelle, code in sorted(found)]

    return _per_departement("qpv", departement, build, today)


def carte_departement(request, departement, queryset) -> CarteDepartement:
    rows = lignes_departement(departement, queryset)
    names = _communes(departement)
    qpv = _qpv_names(departement)
    markers = any(r.latitude is not None for r in rows)
    per_commune = Counter(ligne.commune for ligne in rows if ligne.commune)
    result = CarteDepartement(
        departement,
        rows,
        qpv,
        sorted(per_commune.items(), key=lambda item: (-item[1], item[0])),
        _departement_map(request, departement, bool(qpv), markers),
    )
    result.resume = _resume_departement(result, len(names))
    return result


# Where the markers layer's query goes in a département map rendered for every filter.
FILTERS_MARK = "filtres-de-la-page"


def _departement_map(request, departement, qpv: bool, markers: bool) -> MapParts:
    """The map is the same for every filter but its markers layer's query: rendered once per
    process, layer version (data version and day), département and what it shows, then given
    the page's filters (folium and branca cost a third of the page)."""
    version = layer_version()
    key = f"structures:carte:{version}:{departement.code}:{qpv}:{markers}"
    parts = render_constant(
        key, lambda: _build_departement_map(departement, version, qpv, markers), request
    )
    query = filter_query(request)
    # The URL sits in a JSON payload (portal.lib.maps.json_script): escaped as it escapes.
    filled = json.dumps(query)[1:-1].translate(JSON_ESCAPES)

    def fill(text):
        if query:
            return mark_safe(text.replace(FILTERS_MARK, filled))
        return mark_safe(text.replace("?" + FILTERS_MARK, ""))

    return MapParts(fill(parts.header), fill(parts.html), fill(parts.script), parts.name)


def _build_departement_map(departement, version: str, qpv: bool, markers: bool):
    bounds = (
        _bounds(Contour.Niveau.DEPARTEMENT, [departement.code])
        or territoires_maps.points_bounds(
            Structure.objects.published()
            .filter(departement=departement)
            .values_list("latitude", "longitude")
        )
        or FRANCE_BOUNDS
    )
    fmap = new_map(bounds=bounds, maxZoom=territoires_maps.MAX_ZOOM)
    code = departement.code
    territoires_maps.outline_layer(
        fmap, layer_url("communes", version, code), "Communes", territoires_maps.COMMUNE_STYLE
    )
    territoires_maps.outline_layer(
        fmap,
        layer_url("departement", version, code),
        departement.nom,
        territoires_maps.OUTLINE_STYLE,
    )
    if qpv:
        territoires_maps.outline_layer(
            fmap,
            layer_url("qpv", version, code),
            "Quartiers prioritaires",
            territoires_maps.QPV_STYLE,
        )
    if markers:
        territoires_maps.structure_markers(
            fmap, layer_url("structures", version, code, FILTERS_MARK)
        )
    return fmap


def _resume_departement(carte: CarteDepartement, communes: int) -> list[str]:
    total, nom = len(carte.lignes), carte.departement.nom
    if not total:
        sentences = [
            f"Aucune structure soutenue publiée dans ce département ({nom}) pour ces critères."
        ]
    else:
        places = len(carte.par_commune)
        sentences = [
            f"{total} structure{'s' * (total > 1)} soutenue{'s' * (total > 1)} dans ce "
            f"département ({nom}), réparties dans {places} commune{'s' * (places > 1)} "
            f"sur {communes}."
        ]
        top = ", ".join(f"{name} ({n})" for name, n in carte.par_commune[:3])
        sentences.append(f"Les communes qui en comptent le plus : {top}.")
        qpv = sum(ligne.en_qpv for ligne in carte.lignes)
        rurale = sum(ligne.en_zone_rurale for ligne in carte.lignes)
        sentences.append(f"{qpv} en quartier prioritaire, {rurale} en zone rurale.")
    if carte.qpv:
        n = len(carte.qpv)
        sentences.append(
            f"La carte trace aussi {n} quartier{'s' * (n > 1)} prioritaire{'s' * (n > 1)} "
            "de la politique de la ville (en orange)."
        )
    return sentences


# --- Layers (GeoJSON documents, see structures.views.couche_*) ------------------------------


def communes_layer(departement) -> dict:
    """The communes of the département (Paris: its arrondissements), simplified for the zoom
    that shows the whole département."""
    names = _communes(departement)
    outlines = territoires_maps.outlines(
        Contour.Niveau.COMMUNE, names.keys(), territoires_maps.TOLERANCE_COMMUNES
    )
    return territoires_maps.outline_collection(outlines.shapes, names)


def departement_layer(departement) -> dict:
    outline = territoires_maps.outlines(
        Contour.Niveau.DEPARTEMENT, [departement.code], territoires_maps.TOLERANCE_COMMUNES
    )
    return territoires_maps.outline_collection(outline.shapes, {departement.code: departement.nom})


def qpv_layer(departement) -> dict:
    """The perimeters of the QPV in force today in the département's communes."""
    rows = _qpv(_communes(departement).keys()).values_list("code", "libelle", "geometrie")
    shapes, names = {}, {}
    for code, libelle, geometry in rows:
        light = light_outline(geometry, territoires_maps.TOLERANCE_DETAIL)
        if light:
            shapes[code], names[code] = light, f"QPV {libelle} ({code})"
    return territoires_maps.outline_collection(shapes, names)


def structures_layer(departement, queryset) -> dict:
    """The published structures of the département that have a point (`queryset`: filtered)."""
    return territoires_maps.structure_points(lignes_departement(departement, queryset))


def departements_layer(region) -> dict:
    """The départements of the région, simplified for the zoom that shows the région; the
    régional page colours them by id."""
    names = dict(
        Departement.objects.filter(region=region).order_by("code").values_list("code", "nom")
    )
    outlines = territoires_maps.outlines(
        Contour.Niveau.DEPARTEMENT, names.keys(), territoires_maps.TOLERANCE_DEPARTEMENTS
    )
    return territoires_maps.outline_collection(outlines.shapes, names)
