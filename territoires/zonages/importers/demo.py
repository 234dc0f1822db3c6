"""Demonstration zonings for Île-de-France and Grand Est, until the official annexes are imported.

Official annexes are not reachable offline, so every ARS act and the rural list here are
*invented* (demonstration=True, titles say so, no source address) but plausible: communes
are ranked by a deterministic "strain" score (département weight + a hash of the INSEE code,
no randomness) and categories are filled in that order up to population shares close to
the real acts — Île-de-France doctors 2022: 62 % of the population in ZIP, 96 % in ZIP or
ZAC. Paris is zoned by arrondissement, with two IRIS to show zones finer than the commune.
A 2018 doctors' act (ZIP/ZAC) is kept as a superseded version. The invented rural list
follows FRR's logic (it classifies communautés de communes): every commune of a sparsely
settled communauté de communes.

Real zonings retire these: no demonstration act is made for a group (ARS act of a
profession in a région, or the national rural list) that has a real act, and the
demonstration acts of such a group left by an earlier run are deleted (history kept), so
no answer rests on an invented act where real data exist (`load_demo`). A real act
imported later also supersedes a demonstration act without any code change (it wins over
one starting the same day).
"""

import datetime as dt
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from territoires.models import Commune, Profession, Region, Zonage, ZonageKind, Zone, ZoneCommune
from territoires.zonages.categories import MEDECIN, NIVEAUX, RURAL, KnownCategory
from territoires.zonages.importers.sync import (
    ActeSpec,
    WantedCategory,
    WantedZone,
    apply_plan,
    build_plan,
)
from territoires.zonages.lookup import notify_zonages_changed

REGIONS = ("11", "44")
# Higher weight: more strained (fewer professionals per inhabitant) in the demonstration.
DEPARTEMENT_WEIGHTS = {
    "75": 0.35, "92": 0.30, "94": 0.55, "78": 0.45, "91": 0.60, "77": 0.70, "95": 0.75,
    "93": 0.95, "67": 0.30, "68": 0.35, "54": 0.45, "57": 0.50, "51": 0.50, "10": 0.60,
    "88": 0.70, "08": 0.80, "55": 0.85, "52": 0.90,
}  # fmt: skip
ZIP, ZIP_PLUS, ZAC, HORS = (MEDECIN[1], MEDECIN[0], MEDECIN[2], MEDECIN[3])
DEMO_NIVEAUX = ("tres-sous-dotee", "sous-dotee", "intermediaire", "tres-dotee", "sur-dotee")
# Cumulative population shares per category, in the order of the act.
SHARES = {
    ("11", 2022): ((ZIP_PLUS, 0.18), (ZIP, 0.62), (ZAC, 0.96), (HORS, 1.0)),
    ("11", 2018): ((ZIP, 0.37), (ZAC, 0.76), (HORS, 1.0)),
    ("44", 2022): ((ZIP, 0.28), (ZAC, 0.70), (HORS, 1.0)),
    "niveaux": tuple(
        zip(
            [c for c in NIVEAUX if c.code in DEMO_NIVEAUX],
            (0.08, 0.25, 0.75, 0.90, 1.0),
            strict=True,
        )
    ),
}
DEMO_IRIS = (("75116", "751166199"), ("75116", "751166198"))  # fictitious IRIS codes
ACT_DATES = {2018: dt.date(2018, 7, 2), 2022: dt.date(2022, 3, 31), "niveaux": dt.date(2023, 6, 15)}
RURAL_DATE = dt.date(2024, 6, 19)
# Invented rural list: communes of communautés de communes under this mean population per
# commune (Île-de-France: the Provinois, the Bassée-Montois, the Vexin…; Grand Est: about
# 3,200 communes, close to the real FRR's 2,900).
RURAL_MEAN_POPULATION = 900
RETIRED = "Zonage de démonstration retiré : un acte réel couvre ce zonage"


@dataclass(frozen=True)
class _Territory:
    pk: int
    code: str
    population: int
    departement: str
    departement_nom: str


def _territories(region: Region) -> list[_Territory]:
    """Legal communes, with Paris replaced by its arrondissements."""
    rows = (
        Commune.objects.filter(region=region)
        .exclude(arrondissements__isnull=False)
        .values_list("id", "code", "population", "departement__code", "departement__nom")
        .order_by("code")
        .distinct()
    )
    return [_Territory(pk, code, pop or 0, dep, nom) for pk, code, pop, dep, nom in rows]


def _score(territory: _Territory, salt: str) -> float:
    jitter = zlib.crc32(f"{salt}:{territory.code}".encode()) / 2**32
    small = 0.15 if territory.population < 2000 else 0.0
    return DEPARTEMENT_WEIGHTS.get(territory.departement, 0.5) + small + 0.6 * jitter


def _classify(territories, shares, salt):
    """{category: [territories]}: by decreasing score, until each cumulative share is met."""
    ordered = sorted(territories, key=lambda t: (-_score(t, salt), t.code))
    total = sum(t.population for t in ordered) or 1
    result = {category: [] for category, _ in shares}
    cumulated, index = 0, 0
    for territory in ordered:
        while index < len(shares) - 1 and cumulated >= shares[index][1] * total:
            index += 1
        result[shares[index][0]].append(territory)
        cumulated += territory.population
    return result


def _zones(classified) -> list[WantedZone]:
    """One zone per category and département, named after the département."""
    zones = {}
    for category, territories in classified.items():
        for t in territories:
            key = (category.code, t.departement)
            libelle = t.departement_nom
            zone = zones.setdefault(key, WantedZone(categorie=category.code, libelle=libelle))
            zone.perimetre.add((t.pk, ""))
    return list(zones.values())


def _wanted(category: KnownCategory, ordre: int) -> WantedCategory:
    return WantedCategory.known(category, ordre)


def _spec(kind, profession, region, titre, date_acte, valide_du=None, valide_au=None):
    return ActeSpec(
        kind=kind,
        profession=profession,
        region=region,
        titre=titre,
        editeur=(f"ARS {region.nom} (démonstration)" if region else "État (démonstration)"),
        date_acte=date_acte,
        url="",
        valide_du=valide_du or date_acte,
        valide_au=valide_au,
        demonstration=True,
    )


def doctor_plans(region, territories):
    plans = []
    years = (2018, 2022) if region.code == "11" else (2022,)
    for year in years:
        shares = SHARES[(region.code, year)]
        classified = _classify(territories, shares, f"medecin-{year}")
        zones = _zones(classified)
        if region.code == "11" and year == 2022:
            by_code = {t.code: t for t in territories}
            zones += [
                WantedZone(
                    categorie=ZIP.code,
                    libelle=f"Quartier IRIS {iris} (fictif)",
                    perimetre={(by_code[commune].pk, iris)},
                )
                for commune, iris in DEMO_IRIS
                if commune in by_code
            ]
        titre = (
            f"Zonage de démonstration — médecins généralistes, {region.nom} "
            f"({'ZIP/ZAC' if year == 2018 else 'modèle de l’arrêté'} {year})"
        )
        # No end date on the 2018 act: the 2022 act supersedes it from its own start.
        spec = _spec(ZonageKind.ARS, Profession.MEDECIN_GENERALISTE, region, titre, ACT_DATES[year])
        categories = [_wanted(c, i) for i, (c, _) in enumerate(shares, start=1)]
        plans.append(build_plan(spec, categories, zones))
    return plans


def level_plan(region, territories, profession):
    shares = SHARES["niveaux"]
    classified = _classify(territories, shares, profession)
    titre = (
        f"Zonage de démonstration — {Profession(profession).label.lower()}, {region.nom} "
        "(cinq niveaux)"
    )
    spec = _spec(ZonageKind.ARS, profession, region, titre, ACT_DATES["niveaux"])
    categories = [_wanted(c, i) for i, (c, _) in enumerate(shares, start=1)]
    return build_plan(spec, categories, _zones(classified))


def rural_plan(regions):
    """Invented FRR list: the communes of sparsely settled communautés de communes (FRR
    classifies EPCI, not communes; deterministic rule, no randomness)."""
    frr = RURAL[0]
    epcis = {}
    rows = Commune.objects.filter(region__in=regions, type=Commune.Type.COMMUNE)
    for epci, population in rows.filter(epci__type="CC").values_list("epci", "population"):
        counts = epcis.setdefault(epci, [0, 0])
        counts[0] += 1
        counts[1] += population or 0
    sparse = {
        epci for epci, (n, population) in epcis.items() if population < RURAL_MEAN_POPULATION * n
    }
    zones = {}
    for pk, departement, nom in (
        rows.filter(epci__in=sparse)
        .values_list("pk", "departement__code", "departement__nom")
        .order_by("code")
    ):
        zone = zones.setdefault(departement, WantedZone(categorie=frr.code, libelle=nom))
        zone.perimetre.add((pk, ""))
    spec = _spec(
        ZonageKind.RURAL,
        "",
        None,
        "Zonage de démonstration — France Ruralités Revitalisation (liste inventée)",
        RURAL_DATE,
        valide_du=dt.date(2024, 7, 1),
    )
    return build_plan(spec, [_wanted(frr, 1)], list(zones.values()))


def group(kind, profession, region_id) -> tuple:
    """What a real act replaces: the ARS act of a profession in a région, the rural list."""
    return (kind, profession or "", region_id)


def covered_groups() -> set[tuple]:
    """Groups that have at least one real (non-demonstration) act."""
    real = Zonage.objects.filter(demonstration=False)
    return {group(*row) for row in real.values_list("kind", "profession", "region_id")}


def demo_plans(region_codes=REGIONS, professions=None, covered=frozenset()):
    """Plans of the demonstration acts, except for the groups in `covered`."""
    professions = professions or Profession.values
    regions = list(Region.objects.filter(code__in=region_codes).order_by("code"))
    plans = []
    for region in regions:
        wanted = [p for p in professions if group(ZonageKind.ARS, p, region.pk) not in covered]
        if not wanted:
            continue
        territories = _territories(region)
        if Profession.MEDECIN_GENERALISTE in wanted:
            plans += doctor_plans(region, territories)
        plans += [
            level_plan(region, territories, p)
            for p in wanted
            if p != Profession.MEDECIN_GENERALISTE
        ]
    if regions and group(ZonageKind.RURAL, "", None) not in covered:
        plans.append(rural_plan(regions))
    return plans


def stale_demo_acts(covered, region_codes=REGIONS, professions=None) -> list[Zonage]:
    """Demonstration acts of covered groups, within the régions and professions asked for."""
    professions = professions or Profession.values
    acts = Zonage.objects.filter(demonstration=True).select_related("region").order_by("pk")
    return [
        act
        for act in acts
        if group(act.kind, act.profession, act.region_id) in covered
        and (
            act.kind == ZonageKind.RURAL
            or (act.region and act.region.code in region_codes and act.profession in professions)
        )
    ]


def _delete_territories(zonage: Zonage, reason: str) -> None:
    """Delete the act's territory rows with one history row each, in bulk: one by one (what
    a queryset delete does) takes about a minute for the 42,000 rows of the demonstration."""
    history = ZoneCommune.history.model
    now = timezone.now()
    rows = ZoneCommune.objects.filter(zone__zonage=zonage)
    if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        history.objects.bulk_create(
            (
                history(
                    history_date=now,
                    history_type="-",
                    history_change_reason=reason,
                    history_user=None,
                    **{f.attname: getattr(row, f.attname) for f in history.tracked_fields},
                )
                for row in rows.iterator(chunk_size=2000)
            ),
            batch_size=1000,
        )
    table, zones = (connection.ops.quote_name(m._meta.db_table) for m in (ZoneCommune, Zone))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE zone_id IN (SELECT id FROM {zones} WHERE zonage_id = %s)",
            [zonage.pk],
        )


def _delete_act(zonage: Zonage, reason: str) -> None:
    """Delete an act with its zones and categories; every row deleted leaves a history row."""
    _delete_territories(zonage, reason)
    for zone in zonage.zones.all():
        zone._change_reason = reason
        zone.delete()
    for category in zonage.categories.all():
        category._change_reason = reason
        category.delete()
    zonage._change_reason = reason
    zonage.delete()


@dataclass
class DemoResult:
    plans: list
    retired: list[str]  # titles of the demonstration acts deleted
    covered: int  # groups of the scope answered by real acts


def load_demo(region_codes=REGIONS, professions=None) -> DemoResult:
    """Create or update the demonstration acts where no real act exists, delete those a real
    act now covers.

    One transaction: `zonages_changed` is sent once for all the acts (the zone index and the
    structures' derived flags follow)."""
    with transaction.atomic():
        covered = covered_groups()
        stale = stale_demo_acts(covered, region_codes, professions)
        retired = [act.titre for act in stale]
        for act in stale:
            notify_zonages_changed([act.pk])
            _delete_act(act, RETIRED)
        plans = demo_plans(region_codes, professions, covered)
        for plan in plans:
            if plan.has_changes:
                plan.zonage = apply_plan(plan, reason="Zonage de démonstration")
    regions = Region.objects.filter(code__in=region_codes)
    scope = {
        group(ZonageKind.ARS, p, r.pk) for r in regions for p in professions or Profession.values
    }
    scope |= {group(ZonageKind.RURAL, "", None)} if scope else set()
    return DemoResult(plans, retired, len(scope & covered))
