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

from territoires.models import Profession, Zonage, ZonageKind, Zone, act_reference


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


_ROW_FIELDS = (
    "commune__code",
    "code_iris",
    "zone_id",
    "zone__code",
    "zone__libelle",
    "zone__categorie__code",
    "zone__categorie__libelle",
    "zone__categorie__ordre",
    "zone__categorie__eligibilites",
    "zone__zonage_id",
    "zone__zonage__kind",
    "zone__zonage__profession",
    "zone__zonage__titre",
    "zone__zonage__editeur",
    "zone__zonage__date_acte",
    "zone__zonage__url",
    "zone__zonage__demonstration",
    "zone__zonage__date_export",
    "zone__zonage__source",
    "zone__zonage__revision_publiee",
    "zone__zonage__region_id",
    "zone__categorie__a_verifier",
    "partiel",
)


def commune_rows(queryset):
    """(commune code, has polygons, match) for each commune of each zone.

    Rows of one zone share one match object per partial/whole state: a national act has a
    handful of zones over 35,000 communes, and the index holds references, not copies.
    """
    has_geometry = ExpressionWrapper(Q(zone__geometrie__isnull=False), output_field=BooleanField())
    shared = {}
    for row in queryset.annotate(has_geometry=has_geometry).values(*_ROW_FIELDS, "has_geometry"):
        partiel = bool(row["code_iris"]) or row["has_geometry"] or row["partiel"]
        key = (row["zone_id"], partiel)
        match = shared.get(key)
        if match is None:
            match = shared[key] = _match(row, partiel=partiel)
        yield row["commune__code"], row["has_geometry"], match


def _match(row, partiel) -> ZoneMatch:
    return ZoneMatch(
        kind=row["zone__zonage__kind"],
        categorie=row["zone__categorie__code"],
        categorie_libelle=row["zone__categorie__libelle"],
        categorie_ordre=row["zone__categorie__ordre"],
        profession=row["zone__zonage__profession"] or None,
        libelle=row["zone__libelle"] or row["zone__categorie__libelle"],
        code=row["zone__code"],
        eligibilites=list(row["zone__categorie__eligibilites"] or []),
        zonage_id=row["zone__zonage_id"],
        zonage_titre=row["zone__zonage__titre"],
        zonage_editeur=row["zone__zonage__editeur"],
        zonage_date=row["zone__zonage__date_acte"],
        zonage_url=row["zone__zonage__url"],
        demonstration=row["zone__zonage__demonstration"],
        partiel=partiel,
        zone_id=row["zone_id"],
        zonage_date_export=row["zone__zonage__date_export"],
        zonage_source=row["zone__zonage__source"],
        zonage_revision=row["zone__zonage__revision_publiee"],
        a_verifier=row["zone__categorie__a_verifier"],
        region_id=row["zone__zonage__region_id"],
    )


def _partial(match: ZoneMatch) -> ZoneMatch:
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
        matches += [_partial(m) for m in per_commune.get(child, ())]
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


def zone_match(zone: Zone, partiel: bool) -> ZoneMatch:
    """The match of a zone instance (its `zonage` and `categorie` loaded)."""
    zonage, categorie = zone.zonage, zone.categorie
    return ZoneMatch(
        kind=zonage.kind,
        categorie=categorie.code,
        categorie_libelle=categorie.libelle,
        categorie_ordre=categorie.ordre,
        profession=zonage.profession or None,
        libelle=zone.libelle or categorie.libelle,
        code=zone.code,
        eligibilites=list(categorie.eligibilites or []),
        zonage_id=zonage.id,
        zonage_titre=zonage.titre,
        zonage_editeur=zonage.editeur,
        zonage_date=zonage.date_acte,
        zonage_url=zonage.url,
        demonstration=zonage.demonstration,
        partiel=partiel,
        zone_id=zone.id,
        zonage_date_export=zonage.date_export,
        zonage_source=zonage.source,
        zonage_revision=zonage.revision_publiee,
        a_verifier=categorie.a_verifier,
        region_id=zonage.region_id,
    )
