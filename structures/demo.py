"""Demonstration dataset: the Région Île-de-France's published bilan, and a Grand Est sample.

Counts reproduce the bilan (281 structures by kind, 129 professionals by profession,
408 by département + 2 region-wide networks, 252 in a QPV). Names, addresses, amounts and
dates are invented and every record is flagged `demonstration=True`. QPV and rural flags
are not typed: records are *placed* (structures.demo_geo) so that the derivation gives
them. Everything is derived from fixed tables and CRC32 hashes of the dossier numbers: two
runs give the same dataset.

Rural means France Ruralités Revitalisation (FRR), and that makes the bilan's 99 rural
records impossible: FRR classifies only 58 communes of Île-de-France, all in Seine-et-Marne,
where the bilan counts 61 records. So every record of 77 is in an FRR commune (61 rural,
none in a QPV), the 12 QPV slots of 77 move to 91 and 95 (+6 each), and the former rural
slots of 91 and 95 become QPV or "neither": département totals and the 252 QPV hold, rural
is 61 instead of 99. The same plan serves the real and the demonstration zonings.

Without the geo data folder (no commune outlines, no QPV polygons) the command still loads
281 structures and 129 professionals with the same split by kind, profession and
département, but no record has a point, none is in a QPV (0 instead of 252: the 252 slots
become "neither"), and the rural count stays 61 (the rural zoning is a list of communes).
It says so in its output.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from aides.choices import TypeStructure
from structures.choices import Situation, Statut
from structures.demo_geo import AUCUNE, QPV, RURALE, Placer
from territoires.models import Commune, Profession

T, P = TypeStructure, Profession
# Per département: (in a QPV, in a rural zone, neither) — structures and professionals.
# Totals and the 252 QPV are the bilan's; rural is FRR (see the module docstring).
IDF_DEPARTEMENTS = {
    "75": (30, 0, 11), "77": (0, 61, 0), "78": (28, 0, 8), "91": (32, 0, 27),
    "92": (36, 0, 10), "93": (68, 0, 8), "94": (38, 0, 7), "95": (20, 0, 24),
}  # fmt: skip
IDF_STRUCTURES = {
    T.CABINET_GROUPE: 92, T.MSP: 96, T.CENTRE_SANTE: 78, T.MAISON_MEDICALE_GARDE: 5,
    T.RESEAU_SANTE: 7, T.SECURISATION_CABINET: 3,
}  # fmt: skip
IDF_PROFESSIONNELS = {P.INFIRMIER: 5, P.MASSEUR_KINESITHERAPEUTE: 20,
                      P.MEDECIN_GENERALISTE: 82, P.SAGE_FEMME: 22}  # fmt: skip
# The Région's experiments named in its bilan (kind and wording are demonstration choices).
EXPERIMENTATIONS = [
    ("77379", T.CENTRE_SANTE, "Expérimentation régionale d'accès aux soins — Provins"),
    ("94038", T.CENTRE_SANTE, "Expérimentation régionale d'accès aux soins — L'Haÿ-les-Roses"),
]
RESEAUX_REGIONAUX = [
    "Réseau régional de santé — coordination des soins palliatifs (démonstration)",
    "Réseau régional de santé — périnatalité (démonstration)",
]
SEED = "bilan-idf-demonstration"
AIDE_STRUCTURES = "idf-structures-exercice-collectif"
AIDE_SECURISATION = "idf-securisation-cabinets"
AIDE_PROFESSIONNELS = "idf-aide-installation-professionnels-sante"
AIDE_INTERNES = "grand-est-internes-zones-fragilisees"
MARS_LA_TOUR = "54353"
INTERNES = 46
INTERNES_TOTAL = 61_400
INTERNES_CP = dt.date(2018, 2, 23)
# (min, max) amounts in euros by kind, within the aid's ceilings (350 000 €, 15 000 €).
MONTANTS = {
    T.MSP: (80_000, 350_000), T.CENTRE_SANTE: (60_000, 350_000),
    T.CABINET_GROUPE: (15_000, 150_000), T.MAISON_MEDICALE_GARDE: (20_000, 100_000),
    T.RESEAU_SANTE: (20_000, 80_000), T.SECURISATION_CABINET: (3_000, 15_000),
    T.AUTRE: (50_000, 200_000),
}  # fmt: skip
NOMS = {
    T.MSP: "Maison de santé pluriprofessionnelle", T.CENTRE_SANTE: "Centre de santé",
    T.CABINET_GROUPE: "Cabinet de groupe", T.MAISON_MEDICALE_GARDE: "Maison médicale de garde",
    T.RESEAU_SANTE: "Réseau de santé", T.SECURISATION_CABINET: "Sécurisation du cabinet",
}  # fmt: skip


@dataclass
class StructureSpec:
    reference: str
    type: str
    nom: str
    commune: Commune | None
    region_code: str
    latitude: float | None
    longitude: float | None
    montant: Decimal | None
    date_decision: dt.date | None
    statut: str
    aides: list[str]
    presences: dict[str, int] = field(default_factory=dict)


@dataclass
class ProfessionnelSpec:
    reference: str
    profession: str
    situation: str
    commune: Commune
    latitude: float | None
    longitude: float | None
    aide: str
    montant: Decimal
    annee: int
    date_decision: dt.date


class DemoError(Exception):
    pass


def _hash(*parts) -> int:
    return zlib.crc32(":".join(str(p) for p in parts).encode())


def _amount(reference, low, high, step=1_000) -> Decimal:
    steps = (high - low) // step
    return Decimal(low + step * (_hash(reference, "montant") % (steps + 1)))


def _decision(reference, first=2017, last=2024) -> dt.date:
    h = _hash(reference, "date")
    year = first + h % (last - first + 1)
    month = (2, 3, 5, 7, 9, 10, 11, 12)[(h >> 8) % 8]
    return dt.date(year, month, 1 + (h >> 16) % 27)


def _presences(reference, kind) -> dict[str, int]:
    if kind not in (T.MSP, T.CENTRE_SANTE, T.CABINET_GROUPE):
        return {}
    h = _hash(reference, "presences")
    counts = {
        P.MEDECIN_GENERALISTE: 2 + h % 5,
        P.INFIRMIER: (h >> 4) % 4,
        P.MASSEUR_KINESITHERAPEUTE: (h >> 8) % 3,
        P.SAGE_FEMME: (h >> 12) % 2,
    }
    if kind == T.CABINET_GROUPE:
        counts = {P.MEDECIN_GENERALISTE: 2 + h % 3}
    return {str(k): v for k, v in counts.items() if v}


def _structure(reference, kind, nom, place, region_code="11", aides=None):
    date = _decision(reference)
    low, high = MONTANTS[kind]
    return StructureSpec(
        reference=reference,
        type=str(kind),
        nom=nom,
        commune=place.commune if place else None,
        region_code=region_code,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        montant=_amount(reference, low, high),
        date_decision=date,
        statut=Statut.OUVERT if date.year <= 2021 else Statut.FINANCE,
        aides=aides
        if aides is not None
        else [AIDE_SECURISATION if kind == T.SECURISATION_CABINET else AIDE_STRUCTURES],
        presences=_presences(reference, kind),
    )


def _professionnel(reference, profession, place) -> ProfessionnelSpec:
    date = _decision(reference, 2018, 2024)
    return ProfessionnelSpec(
        reference=reference,
        profession=str(profession),
        situation=Situation.INSTALLE,
        commune=place.commune,
        latitude=place.latitude,
        longitude=place.longitude,
        aide=AIDE_PROFESSIONNELS,
        montant=_amount(reference, 3_000, 15_000, step=500),
        annee=date.year,
        date_decision=date,
    )


def _slots(placer: Placer, plan: dict) -> list[tuple[str, object]]:
    """(département, place) for every planned slot, in a fixed order."""
    slots = []
    for dep, counts in sorted(plan.items()):
        for wanted, n in zip((QPV, RURALE, AUCUNE), counts, strict=True):
            for k in range(n):
                place = placer.place(dep, wanted, k)
                if place is None:
                    raise DemoError(
                        f"Impossible de placer {n} enregistrement(s) « {wanted} » dans le "
                        f"département {dep} (zonages ou contours manquants ?)."
                    )
                slots.append((dep, place))
    return slots


def idf_plan(placer: Placer) -> tuple[list[StructureSpec], list[ProfessionnelSpec], dict]:
    """The Île-de-France bilan; `plan` is adapted to what the database can derive."""
    plan = {dep: list(counts) for dep, counts in IDF_DEPARTEMENTS.items()}
    degraded = _degrade(placer, plan)
    structures = []
    kinds = dict(IDF_STRUCTURES)
    for i, (code, kind, nom) in enumerate(EXPERIMENTATIONS, start=1):
        commune = Commune.objects.select_related("departement").get(code=code)
        dep_counts = plan[commune.departement.code]
        open_slots = [c for c, n in zip((QPV, RURALE, AUCUNE), dep_counts, strict=True) if n]
        place, wanted = placer.place_in(commune, open_slots)
        if wanted not in open_slots:
            raise DemoError(
                f"Le plan ne prévoit pas de place « {wanted or 'QPV et zone rurale'} » pour "
                f"{commune.nom} (zonage rural ou QPV inattendu ?)."
            )
        dep_counts[(QPV, RURALE, AUCUNE).index(wanted)] -= 1
        kinds[kind] -= 1
        structures.append(_structure(f"DEMO-IDF-X{i:02d}", kind, nom, place))
    for i, nom in enumerate(RESEAUX_REGIONAUX, start=1):
        kinds[T.RESEAU_SANTE] -= 1
        structures.append(_structure(f"DEMO-IDF-R{i:02d}", T.RESEAU_SANTE, nom, None))

    pool = [("s", kind) for kind, n in kinds.items() for _ in range(n)]
    pool += [("p", prof) for prof, n in IDF_PROFESSIONNELS.items() for _ in range(n)]
    random.Random(SEED).shuffle(pool)
    slots = _slots(placer, plan)
    if len(slots) != len(pool):
        raise DemoError(f"{len(slots)} places pour {len(pool)} enregistrements.")
    pros, names = [], {}
    n_s = n_p = 0
    for (_dep, place), (what, value) in zip(slots, pool, strict=True):
        if what == "s":
            n_s += 1
            base = f"{NOMS[value]} — {place.commune.nom}"
            names[base] = names.get(base, 0) + 1
            nom = base if names[base] == 1 else f"{base} ({names[base]})"
            structures.append(_structure(f"DEMO-IDF-S{n_s:03d}", value, nom, place))
        else:
            n_p += 1
            pros.append(_professionnel(f"DEMO-IDF-P{n_p:03d}", value, place))
    return structures, pros, degraded


def _degrade(placer: Placer, plan: dict) -> list[str]:
    """Without QPV polygons no record can be in a QPV: move those slots to "neither"."""
    notes = []
    if not placer.has_qpv():
        for counts in plan.values():
            counts[2] += counts[0]
            counts[0] = 0
        notes.append("aucun polygone QPV chargé : 0 enregistrement en QPV au lieu de 252")
    if not placer.has_contours:
        notes.append("contours des communes absents : enregistrements sans point sur la carte")
    if not placer.has_rural():
        for counts in plan.values():
            counts[2] += counts[1]
            counts[1] = 0
        rural = sum(counts[1] for counts in IDF_DEPARTEMENTS.values())
        notes.append(f"aucun zonage rural : 0 enregistrement en zone rurale au lieu de {rural}")
    return notes


def grand_est_plan(placer: Placer) -> tuple[list[StructureSpec], list[ProfessionnelSpec]]:
    """The pôle multiservices of Mars-la-Tour and the 2018 interns' aid (46, 61 400 €)."""
    mars = Commune.objects.select_related("departement").get(code=MARS_LA_TOUR)
    place, _ = placer.place_in(mars)
    pole = _structure(
        "DEMO-GE-S001",
        T.AUTRE,
        "Pôle multiservices de Mars-la-Tour",
        place,
        region_code="44",
        aides=[],
    )
    pole.montant, pole.date_decision, pole.statut, pole.presences = None, None, Statut.OUVERT, {}
    communes = placer.rural_communes() or placer.plain_communes()
    if not communes:
        raise DemoError("Aucune commune du Grand Est pour placer les internes.")
    # Only the headcount and the total are published: an even split, to the euro.
    share, rest = divmod(INTERNES_TOTAL, INTERNES)
    interns = []
    for i in range(INTERNES):
        commune = communes[(i * 7) % len(communes)]
        interns.append(ProfessionnelSpec(
            reference=f"DEMO-GE-I{i + 1:03d}", profession=P.MEDECIN_GENERALISTE,
            situation=Situation.INTERNE, commune=commune, latitude=None, longitude=None,
            aide=AIDE_INTERNES, montant=Decimal(share + (1 if i < rest else 0)),
            annee=INTERNES_CP.year, date_decision=INTERNES_CP,
        ))  # fmt: skip
    return [pole], interns
