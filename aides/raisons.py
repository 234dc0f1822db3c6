"""The reasons of an answer, in French, built from the data: why an aid applies at a place
(« ZIP — arrêté ARS Île-de-France du 30 mars 2022 »), what is left to check, and why not
(« Saint-Denis est en zone intermédiaire pour les infirmiers ; cette aide demande une zone
très sous-dotée ou sous-dotée »). `aides.eligibility` decides; this module words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from django.utils.formats import date_format

from aides.presentation import pluriel
from territoires.models import Profession, ZonageKind
from territoires.zonages.categories import MEDECIN, NIVEAUX, QPV, RURAL, known_categories
from territoires.zonages.limits import ADDRESS_NOTE, revision_note, zone_notes

NATIONAL = "aide nationale, sans condition de lieu"
UNPLACED = (
    "le point choisi n'est dans aucune commune dont le contour est chargé : indiquez la "
    "commune pour vérifier les conditions de lieu de cette aide"
)


@dataclass(frozen=True)
class Raison:
    texte: str
    url: str = ""
    demonstration: bool = False
    partiel: bool = False
    adresse: bool = False  # a doctors' commune-level zone that may differ at the address
    revision: str = ""  # a newer act is published but not integrated: said once per act

    def __str__(self):
        return self.texte


# The commune's name in sentences shared by every commune with the same zones (cached by
# `aides.search`): judged with this in place of the name, which `named` puts in when shown.
COMMUNE = "\x00commune\x00"


def named(raison: Raison, nom: str) -> Raison:
    """The reason as it reads at the commune called `nom`."""
    if COMMUNE not in raison.texte:
        return raison
    return replace(raison, texte=raison.texte.replace(COMMUNE, nom))


PARTIAL_NOTE = "dans une partie de la commune seulement : vérifiez l'adresse"
DEMO_NOTE = " (zonage de démonstration)"
_ACRONYM = re.compile(r"\(([^()]{2,10})\)\s*$")  # "(ZIP)", "(FRR socle)"


def short_label(libelle: str) -> str:
    """ "Zone d'intervention prioritaire (ZIP)" → "ZIP"; other labels unchanged."""
    match = _ACRONYM.search(libelle or "")
    return match.group(1) if match else libelle


def zone_reason(zone, show_profession=True, zones=None, commune=None) -> Raison:
    """ "ZIP — arrêté ARS Île-de-France du 30 mars 2022"; given the place (`commune` and all
    its `zones`), the reason also carries the zone's limits there (`limits.zone_notes`)."""
    if zone.kind == ZonageKind.QPV:
        texte = f"QPV {zone.libelle}"
    elif zone.kind == ZonageKind.RURAL:
        texte = f"commune rurale ({short_label(zone.categorie_libelle)})"
    else:
        texte = short_label(zone.categorie_libelle)
        if show_profession and zone.profession:
            texte = f"{texte} ({zone.profession_libelle.lower()})"
    texte = f"{texte} — {zone.zonage_reference}"
    if zone.partiel:
        texte += f" — {PARTIAL_NOTE}"
    adresse = (  # a zone over part of the commune already says to check the address
        commune is not None
        and not zone.partiel
        and ADDRESS_NOTE in zone_notes(zone, zones or [], commune)
    )
    return _zone_raison(zone, texte, adresse=adresse)


def _zone_raison(zone, texte, *, adresse=False, reference=False) -> Raison:
    if reference:
        texte = f"{texte} ({zone.zonage_reference})"
    if adresse:
        texte = f"{texte} ; {ADDRESS_NOTE}"
    if zone.demonstration and "démonstration" not in texte:
        texte += DEMO_NOTE
    return Raison(
        texte, url=zone.zonage_url, demonstration=zone.demonstration, partiel=zone.partiel,
        adresse=adresse, revision=_revision(zone),
    )  # fmt: skip


def _revision(zone) -> str:
    note = revision_note(zone)
    if not note:
        return ""
    who = f"des {pluriel(zone.profession)} " if zone.profession else ""
    return f"Zonage {who}({zone.zonage_reference}) : {note}."


# --- Why not, or what is left to check ----------------------------------------------------

_RURAL_CODES = {category.code for category in RURAL}


def _kind_of(code: str) -> str:
    if code == QPV.code:
        return ZonageKind.QPV
    if code in _RURAL_CODES or code.startswith(("frr", "zrr")):
        return ZonageKind.RURAL
    return ZonageKind.ARS


def unmet(conditions, ici, profession, aide_professions):
    """(uncertain, why_not) for the conditions the place does not meet (none met for sure)."""
    commune = ici.lieu.commune
    uncertain, why_not = [], []
    for condition in conditions:
        if profession and condition.profession and condition.profession != profession:
            continue
        if condition.departement_id and condition.departement_id != commune.departement_id:
            departement = condition.departement
            why_not.append(
                Raison(
                    f"{commune.nom} n'est pas dans le département {departement.nom} "
                    f"({departement.code})"
                )
            )
        by_kind: dict[str, list[str]] = {}
        for code in condition.codes:
            by_kind.setdefault(_kind_of(code), []).append(code)
        for kind, codes in by_kind.items():
            if kind == ZonageKind.ARS:
                wanted = _ars_professions(condition, profession, aide_professions, codes)
                found = _ars_gap(codes, ici, wanted)
            else:
                found = _place_gap(kind, codes, ici)
            uncertain += found[0]
            why_not += found[1]
    return uncertain, why_not


def _ars_professions(condition, profession, aide_professions, codes) -> list[str]:
    """The professions whose zoning the condition reads: its own, else those of the search
    or of the aid whose categories include the codes (a condition on « très sous-dotée »
    says nothing of doctors, whose zoning has no such category)."""
    if condition.profession:
        return [condition.profession]
    candidates = [profession] if profession else list(aide_professions) or list(Profession.values)
    vocabulary = {p: {c.code for c in known_categories(ZonageKind.ARS, p)} for p in Profession}
    if not set(codes) & set().union(*vocabulary.values()):
        return candidates  # codes no known vocabulary has: every candidate may have them
    return [p for p in candidates if set(codes) & vocabulary[p]]


def _ars_gap(codes, ici, professions):
    commune = ici.lieu.commune
    uncertain, why_not, missing = [], [], []
    wanted = _une_zone(codes)
    for profession in professions:
        who = pluriel(profession)
        zones = [
            z for z in ici.zones if z.kind == ZonageKind.ARS and z.profession in (profession, None)
        ]
        if any(z.categorie in codes for z in zones):
            continue  # met, or met in part: said by the matches
        unknown = next((z for z in zones if z.a_verifier), None)
        whole = next((z for z in zones if not z.partiel), None)
        if unknown is not None:
            texte = (
                f"{commune.nom} : « {unknown.categorie_libelle} » dans le zonage des {who}, qui "
                f"ne permet pas de conclure ; cette aide demande {wanted}"
            )
            uncertain.append(_zone_raison(unknown, texte, reference=True))
        elif not zones and not ici.covered(ZonageKind.ARS, profession, commune.region_id):
            missing.append(who)
        elif whole is None:
            texte = (
                f"aucune partie de {commune.nom} n'est en {wanted.removeprefix('une ')} pour "
                f"les {who}"
                if zones  # zones over parts of the commune, none of those wanted
                else f"{commune.nom} n'est dans aucune zone du zonage des {who} ; cette aide "
                f"demande {wanted}"
            )
            why_not.append(Raison(texte))
        else:
            texte = f"{commune.nom} est {_en(whole)} pour les {who} ; cette aide demande {wanted}"
            adresse = ADDRESS_NOTE in zone_notes(whole, ici.zones, commune)
            raison = _zone_raison(whole, texte, adresse=adresse, reference=True)
            (uncertain if adresse else why_not).append(raison)
    if missing:
        uncertain.append(
            Raison(
                f"aucun zonage ARS des {_et(missing)} n'est intégré pour la région "
                f"{commune.region.nom} : l'éligibilité ne peut pas être vérifiée ici"
            )
        )
    return uncertain, why_not


def _place_gap(kind, codes, ici):
    """Rural and QPV conditions: not in such a zone, or no such list integrated here."""
    commune = ici.lieu.commune
    if any(z.kind == kind and z.categorie in codes for z in ici.zones):
        return [], []  # met, or met in part: said by the matches
    if not ici.covered(kind, "", commune.region_id):
        what = (
            "aucun zonage rural n'est intégré"
            if kind == ZonageKind.RURAL
            else "aucune liste des quartiers prioritaires n'est intégrée"
        )
        quand = date_format(ici.date, "j F Y")
        return [Raison(f"{what} au {quand} : l'éligibilité ne peut pas être vérifiée ici")], []
    if kind == ZonageKind.RURAL:
        labels = _ou([category_label(code) for code in codes])
        return [], [Raison(f"{commune.nom} n'est pas classée en zone rurale ({labels})")]
    where = "le point choisi n'est" if ici.lieu.point else f"{commune.nom} ne compte"
    return [], [Raison(f"{where} dans aucun quartier prioritaire de la politique de la ville")]


def outside_territory(aide, commune) -> str:
    """ "aide de la Région Grand Est : Provins est en Île-de-France"."""
    rel = aide.rel
    whose = []
    if rel.regions:
        noms = [nom for _, nom in rel.regions]
        whose.append(("de la Région " if len(noms) == 1 else "des Régions ") + _et(noms))
    if rel.departements:
        noms = [f"{nom} ({code})" for _, code, nom in rel.departements]
        whose.append(("du département " if len(noms) == 1 else "des départements ") + _et(noms))
    if rel.communes:
        noms = [nom for _, nom in rel.communes]
        whose.append(("de la commune de " if len(noms) == 1 else "des communes de ") + _et(noms))
    if rel.regions and not (rel.departements or rel.communes):
        where = f"{commune.nom} est en {commune.region.nom}"
    else:  # not the commune's own département: answers are shared across départements
        where = f"{commune.nom} n'en fait pas partie"
    return f"aide {' et '.join(whose)} : {where}"


def no_condition_for(profession) -> str:
    if profession:
        return f"aucune condition de lieu de cette aide ne concerne les {pluriel(profession)}"
    return "le lieu ne remplit aucune condition de lieu de cette aide"


def _en(zone) -> str:
    """ "en zone intermédiaire", "en ZAC", "hors zonage": where a zone puts the commune."""
    libelle = zone.categorie_libelle
    lowered = libelle if libelle[:2].isupper() else libelle[:1].lower() + libelle[1:]
    if lowered.startswith("hors "):
        return lowered
    if lowered.startswith("zone ") or len(short_label(libelle)) <= 8:
        return f"en {lowered}"
    return f"classée « {libelle} »"


def _une_zone(codes) -> str:
    """ "une zone très sous-dotée ou sous-dotée", "une zone ZIP ou ZIP+"."""
    return "une zone " + _ou([category_label(code).removeprefix("zone ") for code in codes])


def _ou(items) -> str:
    return _join(items, "ou")


def _et(items) -> str:
    return _join(items, "et")


def _join(items, word) -> str:
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def category_label(code: str) -> str:
    """Short French label of a zone category code ("zip-plus" → "ZIP+")."""
    labels = {c.code: c.libelle for c in (*MEDECIN, *NIVEAUX, QPV, *RURAL)}
    label = labels.get(code)
    if label is None:
        return code
    short = short_label(label)
    if short != label or label[:2].isupper():  # an acronym: "ZIP", "ZIP+"
        return short
    return label[0].lower() + label[1:]
