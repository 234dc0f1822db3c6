"""Zones of one place, grouped for display (commune page, "À cette adresse" box, API), and the
acts as every page cites them (reference, source, export date, newer act not yet imported)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format

from territoires.models import Profession, Zonage, ZonageKind
from territoires.zonages.limits import place_notes, revision_sentence, zone_notes
from territoires.zonages.lookup import ZoneMatch, acts_in_force, sort_key, zones_for_communes

GROUP_TITLES = {
    ZonageKind.QPV.value: "Quartiers prioritaires de la politique de la ville",
    ZonageKind.RURAL.value: "Zones rurales",
}


def long_date(value: dt.date | None) -> str:
    """ "1er juillet 2024", "16 mars 2017" ("" for None)."""
    if value is None:
        return ""
    text = date_format(value, "j F Y")
    return "1er" + text[1:] if value.day == 1 else text


@dataclass(frozen=True)
class Acte:
    """An act as pages cite it, from a match (no query) or from a `Zonage`."""

    titre: str
    url: str
    reference: str  # "arrêté ARS Île-de-France du 30 mars 2022", or the export it comes from
    source: str
    date_export: str  # "12 septembre 2025", "" when unknown
    revision: str  # "un zonage plus récent a été publié … ; il n'est pas encore intégré"
    demonstration: bool

    @classmethod
    def of_match(cls, m: ZoneMatch) -> Acte:
        return cls(
            titre=m.zonage_titre,
            url=m.zonage_url,
            reference=m.zonage_reference,
            source=m.zonage_source,
            date_export=long_date(m.zonage_date_export),
            revision=revision_sentence(m.zonage_revision),
            demonstration=m.demonstration,
        )

    @classmethod
    def of_zonage(cls, z: Zonage) -> Acte:
        return cls(
            titre=z.titre,
            url=z.url,
            reference=z.reference,
            source=z.source,
            date_export=long_date(z.date_export),
            revision=revision_sentence(z.revision_publiee),
            demonstration=z.demonstration,
        )


@dataclass(frozen=True)
class ZoneAffichee:
    zone: ZoneMatch
    notes: tuple[str, ...] = ()  # what this zone cannot tell at this place


@dataclass
class Groupe:
    titre: str
    zones: list[ZoneMatch]
    lignes: list[ZoneAffichee] = field(default_factory=list)

    @property
    def actes(self) -> list[Acte]:
        """One entry per act, to cite each source once."""
        return [Acte.of_match(m) for m in {m.zonage_id: m for m in self.zones}.values()]


def group_matches(matches: list[ZoneMatch], commune=None) -> list[Groupe]:
    """One group per profession (every profession listed, even without zone), then QPV, rural.

    With `commune` (its région loaded), each zone carries the limits of its answer there."""
    by_key = {p: [] for p in Profession.values}
    for match in sorted(matches, key=sort_key):
        by_key.setdefault(match.profession or match.kind, []).append(match)
    groups = []
    for key, zones in by_key.items():
        title = Profession(key).label if key in Profession.values else GROUP_TITLES.get(key, key)
        lignes = [ZoneAffichee(m, tuple(place_notes(m, matches, commune))) for m in zones]
        groups.append(Groupe(titre=title, zones=zones, lignes=lignes))
    return groups


def zones_context(matches: list[ZoneMatch], commune=None) -> dict:
    return {
        "zones_groupes": group_matches(matches, commune),
        "zones_demonstration": any(m.demonstration for m in matches),
    }


def zones_commune_context(commune, date=None) -> dict:
    """Context for templates/zonages/partials/zones_commune.html (3 queries)."""
    matches = zones_for_communes([commune], date=date).get(commune.code, [])
    return {"zones_commune": commune, **zones_context(matches, commune)}


# --- The acts of the zonings page ---------------------------------------------------------


@dataclass(frozen=True)
class LigneActe:
    zonage: Zonage
    acte: Acte
    periode: str = ""  # "du 1er juillet 2017 au 30 juin 2024"
    remplacement: str = ""  # "remplacé par « … » le 1er juillet 2024"


def _periode(zonage: Zonage) -> str:
    if zonage.valide_au is None:
        return f"depuis le {long_date(zonage.valide_du)}"
    return f"du {long_date(zonage.valide_du)} au {long_date(zonage.valide_au)}"


def actes_context(date=None) -> dict:
    """The acts in force on `date` (default today) and the real rural acts they replaced,
    with their validity (the ZRR, replaced by France Ruralités Revitalisation): 2 queries."""
    today = timezone.localdate()
    date = date or today
    in_force = acts_in_force(date)
    successors = {(z.kind, z.profession, z.region_id): z for z in in_force}
    replaced = (
        Zonage.objects.filter(kind=ZonageKind.RURAL, demonstration=False, valide_du__lte=date)
        .exclude(pk__in=[z.pk for z in in_force])
        .select_related("region")
        .order_by("-valide_du", "pk")
    )
    remplaces = []
    for zonage in replaced:
        successor = successors.get((zonage.kind, zonage.profession, zonage.region_id))
        remplacement = (
            f"remplacé par « {successor.titre} » le {long_date(successor.valide_du)}"
            if successor is not None
            else ""
        )
        remplaces.append(LigneActe(zonage, Acte.of_zonage(zonage), _periode(zonage), remplacement))
    return {
        "actes": [LigneActe(z, Acte.of_zonage(z), _periode(z)) for z in in_force],
        "actes_remplaces": remplaces,
        "actes_date": "" if date == today else long_date(date),
    }


def api_zones(matches: list[ZoneMatch], commune=None) -> list[dict]:
    """The `zones` list of /api/v1/lieu (`commune`: the place asked, its région loaded)."""
    return [
        {
            "categorie": m.categorie,
            "categorie_libelle": m.categorie_libelle,
            "kind": m.kind,
            "kind_libelle": GROUP_TITLES.get(m.kind, ""),
            "profession": m.profession,
            "profession_libelle": m.profession_libelle,
            "libelle": m.libelle,
            "code": m.code,
            "partiel": m.partiel,
            "eligibilites": list(m.eligibilites),
            "a_verifier": m.a_verifier,
            "zonage": {
                "titre": m.zonage_titre,
                "editeur": m.zonage_editeur,
                "date": m.zonage_date.isoformat() if m.zonage_date else None,
                "date_export": m.zonage_date_export.isoformat() if m.zonage_date_export else None,
                "source": m.zonage_source or None,
                "reference": m.zonage_reference,
                "revision_publiee": m.zonage_revision or None,
                "url": m.zonage_url or None,
            },
            "demonstration": m.demonstration,
            "notes": zone_notes(m, matches, commune),
        }
        for m in sorted(matches, key=sort_key)
    ]
