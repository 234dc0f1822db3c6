"""What a zone answer cannot tell, said wherever the zone is shown (commune page, finder,
aid page, API): a newer act published but not imported, zones finer than the commune that a
commune-level export cannot carry, and a QPV known at the commune only.
"""

from __future__ import annotations

from territoires.models import Profession, ZonageKind
from territoires.zonages.rules import ZoneMatch

ADDRESS_NOTE = "le zonage peut différer à l'adresse (quartiers prioritaires, ZIP+)"
# Régions whose doctors' arrêté defines zones finer than the commune (Île-de-France: 103 ZIP+
# zones, QPV given their own category) that a commune-level export cannot carry.
INFRA_COMMUNAL_DOCTOR_REGIONS = frozenset({"11"})


def revision_sentence(revision: str) -> str:
    """ "un zonage plus récent a été publié le 9 décembre 2025 ; il n'est pas encore intégré"
    (`revision` is `Zonage.revision_publiee`, "" when none)."""
    if not revision:
        return ""
    return f"un zonage plus récent a été publié {revision} ; il n'est pas encore intégré"


def revision_note(match: ZoneMatch) -> str:
    return revision_sentence(match.zonage_revision)


def qpv_note(match: ZoneMatch) -> str:
    """A QPV at a commune (known by commune only, or asked without a point): the quartier
    is part of the commune, the address decides."""
    if match.kind != ZonageKind.QPV or not match.partiel:
        return ""
    return f"partiellement en quartier prioritaire ({match.libelle}) — à vérifier à l'adresse"


def differs_at_address(match: ZoneMatch, *, region_code: str, arrondissement: bool, qpv: bool):
    """True when a doctors' zone from a commune-level export may be wrong at the address:
    in a municipal arrondissement or a commune holding a QPV, in a région listed above."""
    return (
        match.kind == ZonageKind.ARS
        and match.profession == Profession.MEDECIN_GENERALISTE
        and not match.demonstration
        and match.zonage_date_export is not None
        and region_code in INFRA_COMMUNAL_DOCTOR_REGIONS
        and (arrondissement or qpv)
    )


def zone_notes(match: ZoneMatch, matches, commune) -> list[str]:
    """Every limit of `match` at `commune` (a Commune with its région loaded, or None);
    `matches` are all the zones at that place (to know whether it holds a QPV)."""
    notes = place_notes(match, matches, commune)
    revision = revision_note(match)
    if revision:
        notes.append(revision)
    return notes


def place_notes(match: ZoneMatch, matches, commune) -> list[str]:
    """The limits that depend on the place (pages cite the newer act once, with the act)."""
    notes = []
    quartier = qpv_note(match)
    if quartier:
        notes.append(quartier)
    if commune is not None:
        region_code = commune.region.code if commune.region_id else ""
        arrondissement = commune.parent_id is not None
        qpv = any(m.kind == ZonageKind.QPV for m in matches)
        if differs_at_address(
            match, region_code=region_code, arrondissement=arrondissement, qpv=qpv
        ):
            notes.append(ADDRESS_NOTE)
    return notes
