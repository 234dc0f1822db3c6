"""The zoning rules both the lookup and its index apply (no query of their own beyond the
querysets they are handed): what a match is, which acts are in force on a date, how a zone
reaches a commune, its arrondissements and its parent, how matches merge and sort.

- Acts in force: for one kind + profession + région, the newest act whose `valide_du` is on
  or before the date supersedes the older ones (on the same start date, an official act
  wins over a demonstration one); if that newest act has ended (`valide_au` before the
  date), the group has no zone on that date (an older act does not come back).
- Paris/Lyon/Marseille: a zone defined on the whole commune (75056) applies to each of its
  arrondissements; a zone defined on an arrondissement (or an IRIS) is reported for the
  parent commune too, with `partiel=True` (it covers only part of the commune).
- Zones with polygons (QPV): for a commune they are `partiel=True` (the quartier is part of
  the commune); for a point, only the polygons containing the point count, `partiel=False`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import BooleanField, ExpressionWrapper, Q

from territoires.models import Profession, Zonage, ZonageKind, act_reference


@dataclass(frozen=True)
class ZoneMatch:
    kind: str
    categorie: str  # stable slug of the category ("zip", "tres-sous-dotee", "qpv"…)
    categorie_libelle: str
    categorie_ordre: int
    profession: str | None
    libelle: str
    code: str  # official code (QPV) or ""
    eligibilites: list[str]
    zonage_id: int
    zonage_titre: str
    zonage_editeur: str
    zonage_date: dt.date | None  # None: the export does not say which arrêté it reproduces
    zonage_url: str
    demonstration: bool
    partiel: bool
    zone_id: int
    zonage_date_export: dt.date | None = None
    zonage_source: str = ""
    zonage_revision: str = ""  # "le 9 décembre 2025": a newer act is published, not imported
    a_verifier: bool = False  # the category cannot decide ("N/A - résultat non disponible")
    region_id: int | None = None

    @property
    def profession_libelle(self) -> str:
        return Profession(self.profession).label if self.profession else ""

    @property
    def zonage_reference(self) -> str:
        """ "arrêté ARS Île-de-France du 30 mars 2022", or the export it comes from."""
        return act_reference(
            self.kind, self.zonage_editeur, self.zonage_date, self.zonage_date_export
        )


KIND_ORDER = {kind: i for i, kind in enumerate(ZonageKind.values)}
PROFESSION_ORDER = {p: i for i, p in enumerate(Profession.values)}


def sort_key(match: ZoneMatch):
    return (
        KIND_ORDER.get(match.kind, 99),
        PROFESSION_ORDER.get(match.profession or "", 99),
        match.zonage_id,
        match.categorie_ordre,
        match.libelle,
        match.zone_id,
    )


@dataclass(frozen=True)
class Act:
    id: int
    group: tuple  # (kind, profession, region_id)
    valide_du: dt.date
    valide_au: dt.date | None
    date_acte: dt.date
    demonstration: bool

    @property
    def rank(self):
        # Same start date: an official act wins over a demonstration one.
        return (self.valide_du, not self.demonstration, self.date_acte or self.valide_du, self.id)


def active_ids(candidates, date) -> frozenset[int]:
    """Ids of the acts that apply on `date`, supersession resolved."""
    newest = {}
    for act in candidates:
        if act.valide_du > date:
            continue
        best = newest.get(act.group)
        if best is None or act.rank > best.rank:
            newest[act.group] = act
    return frozenset(
        act.id for act in newest.values() if act.valide_au is None or act.valide_au >= date
    )


_ACT_FIELDS = (
    "id",
    "kind",
    "profession",
    "region_id",
    "valide_du",
    "valide_au",
    "date_acte",
    "demonstration",
)


def acts(queryset) -> list[Act]:
    """The acts of a `Zonage` queryset, as the rules need them (one query)."""
    return [
        Act(
            id=row["id"],
            group=(row["kind"], row["profession"], row["region_id"]),
            valide_du=row["valide_du"],
            valide_au=row["valide_au"],
            date_acte=row["date_acte"],
            demonstration=row["demonstration"],
        )
        for row in queryset.values(*_ACT_FIELDS)
    ]


_ZONE_FIELDS = (
    "code",
    "libelle",
    "categorie__code",
    "categorie__libelle",
    "categorie__ordre",
    "categorie__eligibilites",
    "categorie__a_verifier",
    "zonage_id",
    "zonage__kind",
    "zonage__profession",
    "zonage__titre",
    "zonage__editeur",
    "zonage__date_acte",
    "zonage__url",
    "zonage__demonstration",
    "zonage__date_export",
    "zonage__source",
    "zonage__revision_publiee",
    "zonage__region_id",
)
_ROW_FIELDS = (
    "commune__code",
    "code_iris",
    "partiel",
    "zone_id",
    *(f"zone__{name}" for name in _ZONE_FIELDS),
)


def is_partial(code_iris, has_geometry, partiel) -> bool:
    """Whether a zone's link covers only part of the commune: an IRIS, a quartier (polygon
    zone) or a link marked partial."""
    return bool(code_iris) or bool(has_geometry) or bool(partiel)


def commune_rows(queryset):
    """(commune code, has polygons, match) for each commune of each zone (one joined query,
    for a few communes: the index reads zones and links apart, see `zone_matches`).

    Rows of one zone share one match object per partial/whole state: a national act has a
    handful of zones over 35,000 communes, and the index holds references, not copies.
    """
    has_geometry = ExpressionWrapper(Q(zone__geometrie__isnull=False), output_field=BooleanField())
    shared = {}
    for row in queryset.annotate(has_geometry=has_geometry).values(*_ROW_FIELDS, "has_geometry"):
        partiel = is_partial(row["code_iris"], row["has_geometry"], row["partiel"])
        key = (row["zone_id"], partiel)
        match = shared.get(key)
        if match is None:
            match = shared[key] = _match(row, "zone__", row["zone_id"], partiel=partiel)
        yield row["commune__code"], row["has_geometry"], match


def zone_matches(queryset) -> dict[int, ZoneMatch]:
    """Zone id → its whole-commune match, for a `Zone` queryset (one query, no geometry)."""
    return {
        row["id"]: _match(row, "", row["id"], partiel=False)
        for row in queryset.values("id", *_ZONE_FIELDS)
    }


def _match(row, prefix, zone_id, partiel) -> ZoneMatch:
    def field(name):
        return row[prefix + name]

    return ZoneMatch(
        kind=field("zonage__kind"),
        categorie=field("categorie__code"),
        categorie_libelle=field("categorie__libelle"),
        categorie_ordre=field("categorie__ordre"),
        profession=field("zonage__profession") or None,
        libelle=field("libelle") or field("categorie__libelle"),
        code=field("code"),
        eligibilites=list(field("categorie__eligibilites") or []),
        zonage_id=field("zonage_id"),
        zonage_titre=field("zonage__titre"),
        zonage_editeur=field("zonage__editeur"),
        zonage_date=field("zonage__date_acte"),
        zonage_url=field("zonage__url"),
        demonstration=field("zonage__demonstration"),
        partiel=partiel,
        zone_id=zone_id,
        zonage_date_export=field("zonage__date_export"),
        zonage_source=field("zonage__source"),
        zonage_revision=field("zonage__revision_publiee"),
        a_verifier=field("categorie__a_verifier"),
        region_id=field("zonage__region_id"),
    )


def partial(match: ZoneMatch) -> ZoneMatch:
    return match if match.partiel else replace(match, partiel=True)


def merge(matches, active) -> list[ZoneMatch]:
    """Keep active acts, one match per zone (a whole-commune match wins over a partial one)."""
    by_zone = {}
    for match in matches:
        if match.zonage_id not in active:
            continue
        seen = by_zone.get(match.zone_id)
        if seen is None or (seen.partiel and not match.partiel):
            by_zone[match.zone_id] = match
    return sorted(by_zone.values(), key=sort_key)


def gather(code, per_commune, parent, children) -> list[ZoneMatch]:
    """A commune's own matches, its parent commune's, and its arrondissements' (partial)."""
    matches = list(per_commune.get(code, ()))
    if code in parent:
        matches += per_commune.get(parent[code], ())
    for child in children.get(code, ()):
        matches += [partial(m) for m in per_commune.get(child, ())]
    return matches


def act_of(zonage: Zonage) -> Act:
    return Act(
        id=zonage.pk,
        group=(zonage.kind, zonage.profession, zonage.region_id),
        valide_du=zonage.valide_du,
        valide_au=zonage.valide_au,
        date_acte=zonage.date_acte,
        demonstration=zonage.demonstration,
    )
