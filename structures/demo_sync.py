"""Writes the demonstration specs (structures.demo) so that a second run changes nothing.

Rows are matched on their dossier number; a row is saved only when a value differs, so an
unchanged dataset adds no history entry. Demonstration rows no longer in the specs
(an older version of the dataset) are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aides.models import Aide
from structures.choices import Publication
from structures.models import PresenceProfessionnelle, ProfessionnelSoutenu, Structure
from territoires.models import Region

REASON = "Données de démonstration"
PREFIX = "DEMO-"


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    missing_aides: set[str] = field(default_factory=set)

    def __str__(self):
        return (
            f"{self.created} créé(s), {self.updated} mis à jour, {self.deleted} supprimé(s), "
            f"{self.unchanged} inchangé(s)"
        )


def _apply(obj, values: dict) -> bool:
    changed = obj.pk is None
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _save(obj):
    obj._change_reason = REASON
    obj.save()


def _count(report, created, changed):
    if created:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1


def _aides(slugs, report) -> dict[str, Aide]:
    found = {a.slug: a for a in Aide.objects.filter(slug__in=slugs)}
    report.missing_aides |= set(slugs) - set(found)
    return found


def sync_structures(specs, report: SyncReport) -> None:
    refs = [s.reference for s in specs]
    existing = {
        s.reference: s
        for s in Structure.objects.filter(reference__in=refs).prefetch_related("aides", "presences")
    }
    regions = {r.code: r for r in Region.objects.all()}
    aides = _aides({slug for s in specs for slug in s.aides}, report)
    for spec in specs:
        obj = existing.get(spec.reference) or Structure(reference=spec.reference)
        created = obj.pk is None
        values = {
            "type": spec.type,
            "nom": spec.nom,
            "commune_id": spec.commune.pk if spec.commune else None,
            "region_id": regions[spec.region_code].pk,
            "latitude": spec.latitude,
            "longitude": spec.longitude,
            "montant_accorde": spec.montant,
            "date_decision": spec.date_decision,
            "statut": spec.statut,
            "publication": Publication.PUBLIEE,
            "demonstration": True,
        }
        changed = _apply(obj, values)
        if changed:
            _save(obj)
        wanted = {aides[slug].pk for slug in spec.aides if slug in aides}
        current = set() if created else {a.pk for a in obj.aides.all()}
        if current != wanted:
            obj.aides.set(wanted)
            changed = True
        changed |= _sync_presences(obj, spec.presences, created)
        _count(report, created, changed)
    stale = Structure.objects.filter(demonstration=True, reference__startswith=PREFIX)
    report.deleted += stale.exclude(reference__in=refs).delete()[1].get(Structure._meta.label, 0)


def _sync_presences(structure, wanted: dict[str, int], created: bool) -> bool:
    current = {} if created else {p.profession: p for p in structure.presences.all()}
    if {k: p.nombre for k, p in current.items()} == wanted:
        return False
    for profession, presence in current.items():
        if profession not in wanted:
            presence.delete()
    for profession, nombre in wanted.items():
        presence = current.get(profession)
        if presence is None:
            PresenceProfessionnelle.objects.create(
                structure=structure, profession=profession, nombre=nombre
            )
        elif presence.nombre != nombre:
            presence.nombre = nombre
            presence.save()
    return True


def sync_professionnels(specs, report: SyncReport) -> None:
    refs = [s.reference for s in specs]
    existing = {p.reference: p for p in ProfessionnelSoutenu.objects.filter(reference__in=refs)}
    aides = _aides({s.aide for s in specs}, report)
    for spec in specs:
        obj = existing.get(spec.reference) or ProfessionnelSoutenu(reference=spec.reference)
        created = obj.pk is None
        values = {
            "profession": spec.profession,
            "situation": spec.situation,
            "commune_id": spec.commune.pk,
            "region_id": spec.commune.region_id,
            "latitude": spec.latitude,
            "longitude": spec.longitude,
            "aide_id": aides[spec.aide].pk if spec.aide in aides else None,
            "montant": spec.montant,
            "annee": spec.annee,
            "date_decision": spec.date_decision,
            "publication": Publication.PUBLIEE,
            "demonstration": True,
        }
        changed = _apply(obj, values)
        if changed:
            _save(obj)
        _count(report, created, changed)
    stale = ProfessionnelSoutenu.objects.filter(demonstration=True, reference__startswith=PREFIX)
    report.deleted += (
        stale.exclude(reference__in=refs).delete()[1].get(ProfessionnelSoutenu._meta.label, 0)
    )
