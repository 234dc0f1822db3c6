"""Zones of one place, grouped for display (commune page, "À cette adresse" box, API)."""

from dataclasses import dataclass

from territoires.models import Profession, ZonageKind
from territoires.zonages.lookup import ZoneMatch, sort_key, zones_for_communes

GROUP_TITLES = {
    ZonageKind.QPV.value: "Quartiers prioritaires de la politique de la ville",
    ZonageKind.RURAL.value: "Zones rurales",
}


@dataclass
class Groupe:
    titre: str
    zones: list[ZoneMatch]

    @property
    def actes(self) -> list[ZoneMatch]:
        """One match per act, to cite each source once."""
        return list({m.zonage_id: m for m in self.zones}.values())


def group_matches(matches: list[ZoneMatch]) -> list[Groupe]:
    """One group per profession (every profession listed, even without zone), then QPV, rural."""
    by_key = {p: [] for p in Profession.values}
    for match in sorted(matches, key=sort_key):
        by_key.setdefault(match.profession or match.kind, []).append(match)
    groups = []
    for key, zones in by_key.items():
        title = Profession(key).label if key in Profession.values else GROUP_TITLES.get(key, key)
        groups.append(Groupe(titre=title, zones=zones))
    return groups


def zones_context(matches: list[ZoneMatch]) -> dict:
    return {
        "zones_groupes": group_matches(matches),
        "zones_demonstration": any(m.demonstration for m in matches),
    }


def zones_commune_context(commune, date=None) -> dict:
    """Context for templates/zonages/partials/zones_commune.html (3 queries)."""
    matches = zones_for_communes([commune], date=date).get(commune.code, [])
    return {"zones_commune": commune, **zones_context(matches)}


def api_zones(matches: list[ZoneMatch]) -> list[dict]:
    """The `zones` list of /api/v1/lieu."""
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
        }
        for m in sorted(matches, key=sort_key)
    ]
