"""Bring one zoning act to a wanted state (categories, zones, communes), writing only changes.

Shared by the annex import, the QPV import and the demonstration loader. The plan is
computed from the database without writing anything (that is the dry run); applying it
happens in one transaction, with history rows for every created, changed or deleted row,
and `zonages_changed` sent once the transaction commits.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from portal.lib.dataversion import bump
from territoires.models import CategorieZone, Region, Zonage, Zone, ZoneCommune
from territoires.zonages.lookup import notify_zonages_changed


@dataclass
class ActeSpec:
    """The act's identity and source. An act is found again by kind, profession, région,
    date of the act and demonstration flag: importing the same annex twice updates it."""

    kind: str
    profession: str
    region: Region | None
    titre: str
    editeur: str
    date_acte: dt.date
    url: str
    valide_du: dt.date
    valide_au: dt.date | None = None
    demonstration: bool = False
    source: str = ""
    date_export: dt.date | None = None
    revision_publiee: str = ""
    empreinte: str = ""

    def find(self) -> Zonage | None:
        return (
            Zonage.objects.filter(
                kind=self.kind,
                profession=self.profession,
                region=self.region,
                date_acte=self.date_acte,
                demonstration=self.demonstration,
            )
            .order_by("id")
            .first()
        )

    def fields(self) -> dict:
        return {
            "titre": self.titre,
            "editeur": self.editeur,
            "url": self.url,
            "valide_du": self.valide_du,
            "valide_au": self.valide_au,
            "source": self.source,
            "date_export": self.date_export,
            "revision_publiee": self.revision_publiee,
            "empreinte": self.empreinte,
        }


@dataclass
class WantedCategory:
    code: str
    libelle: str
    ordre: int
    eligibilites: list[str] | None  # None: keep what agents set on an existing category
    a_verifier: bool = False  # the category cannot decide ("N/A - résultat non disponible")

    @classmethod
    def known(cls, category, ordre=None) -> "WantedCategory":
        """A category of `territoires.zonages.categories`, with its default eligibilities."""
        return cls(
            category.code,
            category.libelle,
            category.ordre if ordre is None else ordre,
            list(category.eligibilites),
            category.a_verifier,
        )


@dataclass
class WantedZone:
    categorie: str  # category code
    code: str = ""
    libelle: str = ""
    geometrie: dict | None = None
    perimetre: set[tuple[int, str]] = field(default_factory=set)  # (commune id, IRIS code)
    partiel: bool = False  # covers only part of each territory (QPV known by commune…)

    @property
    def key(self):
        return (self.categorie, self.code, self.libelle)


@dataclass
class Plan:
    spec: ActeSpec
    categories: list[WantedCategory]
    zones: list[WantedZone]
    zonage: Zonage | None = None
    act_changes: list[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    moved: int = 0
    unchanged: int = 0
    zones_created: int = 0
    zones_deleted: int = 0
    zones_changed: int = 0
    links_changed: int = 0  # (zone, territory) pairs added or removed

    @property
    def has_changes(self) -> bool:
        return bool(
            self.zonage is None
            or self.act_changes
            or self.added
            or self.removed
            or self.zones_created
            or self.zones_deleted
            or self.zones_changed
            or self.links_changed
            or self._category_changes()
        )

    def _category_changes(self) -> bool:
        existing = {c.code: c for c in self.zonage.categories.all()} if self.zonage else {}
        if set(existing) != {c.code for c in self.categories}:
            return True
        return any(
            (existing[c.code].libelle, existing[c.code].ordre, existing[c.code].a_verifier)
            != (c.libelle, c.ordre, c.a_verifier)
            or (c.eligibilites is not None and existing[c.code].eligibilites != c.eligibilites)
            for c in self.categories
        )

    def summary(self) -> list[str]:
        lines = []
        if self.zonage is None:
            lines.append(f"Nouvel acte : « {self.spec.titre} ».")
        else:
            lines.append(f"Acte existant n° {self.zonage.pk} : « {self.zonage.titre} ».")
            lines += self.act_changes
        zones = {c.code: 0 for c in self.categories}
        territories = dict(zones)
        for zone in self.zones:
            zones[zone.categorie] += 1
            territories[zone.categorie] += len(zone.perimetre)
        for category in self.categories:
            lines.append(
                f"Catégorie « {category.libelle} » : {zones[category.code]} zone(s), "
                f"{territories[category.code]} territoire(s)."
            )
        lines.append(
            f"Territoires : {self.added} ajouté(s), {self.removed} retiré(s), "
            f"{self.moved} changé(s) de catégorie, {self.unchanged} inchangé(s)."
        )
        if self.zones_created or self.zones_deleted or self.zones_changed:
            lines.append(
                f"Zones : {self.zones_created} créée(s), {self.zones_changed} modifiée(s), "
                f"{self.zones_deleted} supprimée(s)."
            )
        if not self.has_changes:
            lines.append("Aucun changement : la base est déjà à jour.")
        return lines


def _existing_zones(zonage):
    """Zones by key, their territories, and the zones whose rows are partial."""
    if zonage is None:
        return {}, {}, set()
    zones = {}
    for zone in zonage.zones.select_related("categorie"):
        zones[(zone.categorie.code, zone.code, zone.libelle)] = zone
    perimetres = {zone_id: set() for zone_id in (z.pk for z in zones.values())}
    partial = set()
    rows = ZoneCommune.objects.filter(zone__zonage=zonage)
    for zone_id, commune_id, iris, partiel in rows.values_list(
        "zone_id", "commune_id", "code_iris", "partiel"
    ):
        perimetres[zone_id].add((commune_id, iris))
        if partiel:
            partial.add(zone_id)
    return zones, perimetres, partial


def build_plan(spec: ActeSpec, categories, zones) -> Plan:
    """Compare the wanted state with the database (read only)."""
    plan = Plan(spec=spec, categories=list(categories), zones=list(zones), zonage=spec.find())
    if plan.zonage is not None:
        for name, value in spec.fields().items():
            old = getattr(plan.zonage, name)
            if old != value:
                label = Zonage._meta.get_field(name).verbose_name
                plan.act_changes.append(f"« {label} » : {old or '—'} → {value or '—'}.")
    existing, perimetres, partial = _existing_zones(plan.zonage)
    old_category = {}
    for key, zone in existing.items():
        for territory in perimetres[zone.pk]:
            old_category[territory] = key[0]
    new_category = {}
    for zone in plan.zones:
        old = existing.get(zone.key)
        if old is None:
            plan.zones_created += 1
        elif old.geometrie != zone.geometrie or (old.pk in partial) != zone.partiel:
            plan.zones_changed += 1
        plan.links_changed += len(zone.perimetre ^ (perimetres[old.pk] if old else set()))
        for territory in zone.perimetre:
            new_category[territory] = zone.categorie
    gone = set(existing) - {z.key for z in plan.zones}
    plan.zones_deleted = len(gone)
    plan.links_changed += sum(len(perimetres[existing[key].pk]) for key in gone)
    for territory, category in new_category.items():
        before = old_category.get(territory)
        if before is None:
            plan.added += 1
        elif before != category:
            plan.moved += 1
        else:
            plan.unchanged += 1
    plan.removed = len(set(old_category) - set(new_category))
    return plan


@transaction.atomic
def apply_plan(plan: Plan, user=None, reason: str = "") -> Zonage:
    spec = plan.spec
    zonage = plan.zonage
    if zonage is None:
        zonage = Zonage(
            kind=spec.kind,
            profession=spec.profession,
            region=spec.region,
            date_acte=spec.date_acte,
            demonstration=spec.demonstration,
        )
    if zonage.pk is None or plan.act_changes:
        for name, value in spec.fields().items():
            setattr(zonage, name, value)
        zonage._change_reason = reason
        zonage.save()
    categories = {c.code: c for c in zonage.categories.all()}
    for wanted in plan.categories:
        category = categories.get(wanted.code) or CategorieZone(zonage=zonage, code=wanted.code)
        eligibilites = (
            wanted.eligibilites if wanted.eligibilites is not None else category.eligibilites
        )
        values = (wanted.libelle, wanted.ordre, eligibilites, wanted.a_verifier)
        current = (category.libelle, category.ordre, category.eligibilites, category.a_verifier)
        if category.pk is None or current != values:
            category.libelle, category.ordre, category.eligibilites, category.a_verifier = values
            category._change_reason = reason
            category.save()
        categories[wanted.code] = category
    existing, perimetres, partial = _existing_zones(zonage)
    wanted_keys = {z.key for z in plan.zones}
    for key, zone in existing.items():
        if key not in wanted_keys:
            zone._change_reason = reason
            zone.delete()
    to_create, to_delete = [], []
    for wanted in plan.zones:
        zone = existing.get(wanted.key)
        if zone is None or zone.geometrie != wanted.geometrie:
            zone = zone or Zone(
                zonage=zonage,
                categorie=categories[wanted.categorie],
                code=wanted.code,
                libelle=wanted.libelle,
            )
            zone.geometrie = wanted.geometrie
            zone._change_reason = reason
            zone.save()
        old = perimetres.get(zone.pk, set())
        if old and (zone.pk in partial) != wanted.partiel:
            for row in zone.perimetre.exclude(partiel=wanted.partiel):
                row.partiel = wanted.partiel
                row._change_reason = reason
                row.save(update_fields=["partiel"])
        to_create += [
            ZoneCommune(zone=zone, commune_id=commune_id, code_iris=iris, partiel=wanted.partiel)
            for commune_id, iris in sorted(wanted.perimetre - old)
        ]
        gone = old - wanted.perimetre
        if gone:
            to_delete += [
                row.pk for row in zone.perimetre.all() if (row.commune_id, row.code_iris) in gone
            ]
    if to_delete:
        # A queryset delete still sends post_delete per row: history keeps each removal.
        ZoneCommune.objects.filter(pk__in=to_delete).delete()
    if to_create:
        bulk_create_with_history(
            to_create, ZoneCommune, batch_size=1000, default_user=user, default_change_reason=reason
        )
        bump()  # bulk_create sends no signal (saves and deletions above bumped already)
    for code, category in categories.items():
        if code not in {c.code for c in plan.categories} and not category.zones.exists():
            category._change_reason = reason
            category.delete()
    notify_zonages_changed([zonage.pk])
    return zonage
