"""The bilan: figures of *published* structures and supported professionals.

Counted once per data version into a national aggregate (`national()`, cached under
portal.lib.dataversion.current()); each bilan is a slice of it, under the statistical secret
applied to the slice.

One service for the bilan page, its CSV tables, `GET /api/v1/statistiques`, the map's
text summary and the département pages, so that they can never disagree. Professionals
are personal data: only counts and sums leave this module, never a row.

"Par département" and the QPV / rural counts add structures and professionals, as the
Région's published bilan does (Île-de-France: 408 by département + 2 region-wide networks
= 281 structures + 129 professionals; 252 in a QPV, 99 in a rural zone).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.db.models.functions import ExtractYear

from aides.choices import TypeStructure
from portal.lib import dataversion, secret
from structures.choices import Statut
from structures.models import ProfessionnelSoutenu, Structure
from territoires.models import Commune, Departement, Profession, Region

HORS_DEPARTEMENT = "hors_departement"


@dataclass(frozen=True)
class Compte:
    """One line of a breakdown: a kind of structure, a profession…"""

    cle: str
    libelle: str
    nombre: int | None  # None: statistical secret (portal.lib.secret)
    montant: Decimal | None = Decimal(0)


@dataclass(frozen=True)
class LigneDepartement:
    code: str | None  # None: region-wide records with no single département
    nom: str
    structures: int
    professionnels: int | None  # None: statistical secret
    population: int | None

    @property
    def total(self) -> int | None:
        return _add(self.structures, self.professionnels)

    @property
    def structures_pour_100k(self) -> float | None:
        return per_100k(self.structures, self.population)


@dataclass(frozen=True)
class LigneAnnee:
    annee: int | None  # None: decision date not recorded
    structures: int
    montant_structures: Decimal
    professionnels: int | None  # None (with its amount): statistical secret
    montant_professionnels: Decimal | None

    @property
    def montant(self) -> Decimal | None:
        return _add(self.montant_structures, self.montant_professionnels)


@dataclass(frozen=True)
class LigneZone:
    libelle: str
    structures: int
    professionnels: int | None  # None: statistical secret

    @property
    def total(self) -> int | None:
        return _add(self.structures, self.professionnels)


def _add(structures, professionnels):
    """Structures + professionals, hidden when the professionals' part is (portal.lib.secret)."""
    return None if professionnels is None else structures + professionnels


@dataclass
class Bilan:
    region: Region | None
    structures: int = 0
    montant_structures: Decimal = Decimal(0)
    professionnels: int | None = 0  # None (with its amount): statistical secret
    montant_professionnels: Decimal | None = Decimal(0)
    secrets: int = 0  # professionals' cells hidden by portal.lib.secret
    par_type: list[Compte] = field(default_factory=list)
    par_statut: list[Compte] = field(default_factory=list)
    par_profession: list[Compte] = field(default_factory=list)
    par_departement: list[LigneDepartement] = field(default_factory=list)
    par_annee: list[LigneAnnee] = field(default_factory=list)
    qpv: LigneZone = LigneZone("En quartier prioritaire (QPV)", 0, 0)
    rurale: LigneZone = LigneZone("En zone rurale", 0, 0)
    demonstration: bool = False
    mise_a_jour: object = None

    @property
    def montant_total(self) -> Decimal | None:
        return _add(self.montant_structures, self.montant_professionnels)

    @property
    def perimetre(self) -> str:
        return self.region.nom if self.region else "toutes les régions"

    def as_json(self) -> dict:
        """The body of GET /api/v1/statistiques (described in structures.api)."""
        return {
            "region": {"code": self.region.code, "nom": self.region.nom} if self.region else None,
            "structures": {
                "total": self.structures,
                "par_type": {c.libelle: c.nombre for c in self.par_type},
                "par_statut": {c.libelle: c.nombre for c in self.par_statut},
                "montant": amount(self.montant_structures),
            },
            "professionnels": {
                "total": self.professionnels,
                "par_profession": {c.libelle: c.nombre for c in self.par_profession},
                "montant": amount(self.montant_professionnels),
            },
            "par_departement": {
                (ligne.code or HORS_DEPARTEMENT): ligne.total for ligne in self.par_departement
            },
            "en_qpv": self.qpv.total,
            "en_zone_rurale": self.rurale.total,
            "montant_total": amount(self.montant_total),
            "par_annee": [
                {
                    "annee": ligne.annee,
                    "structures": ligne.structures,
                    "professionnels": ligne.professionnels,
                    "montant": amount(ligne.montant),
                }
                for ligne in self.par_annee
            ],
            "secret_statistique": {
                "seuil": secret.threshold(),
                "cellules_masquees": self.secrets,
                "regle": secret.rule_text(),
            },
            "demonstration": self.demonstration,
            "mise_a_jour": self.mise_a_jour.isoformat() if self.mise_a_jour else None,
        }


@dataclass(frozen=True)
class ChiffresCles:
    structures: int
    montant_structures: Decimal
    professionnels: int | None  # None (with its amount): statistical secret
    montant_professionnels: Decimal | None
    qpv: int | None
    rurale: int | None
    demonstration: bool

    @property
    def montant(self) -> Decimal | None:
        return _add(self.montant_structures, self.montant_professionnels)


def departement_key_figures(departement) -> ChiffresCles:
    """Key figures of a département page, under the secret of its région's bilan.

    A slice of the national aggregate (no query once it is cached).
    """
    agregat = national()
    structures = [r for r in agregat.structures if r["departement"] == departement.pk]
    professionnels = [r for r in agregat.professionnels if r["departement"] == departement.pk]
    figures = _key_figures(structures, professionnels)
    codes = {pk: code for pk, code, _nom, _region in agregat.departements}
    rows = {
        codes.get(row["departement"]): row
        for row in _group(
            [r for r in agregat.professionnels if r["region"] == departement.region_id],
            "departement",
        )
    }
    # The bilan's line by département, same keys (zeros do not change it).
    line = {(departement.region_id, code): row["nombre"] for code, row in rows.items()}
    if (departement.region_id, departement.code) in secret.protect(line):
        figures = replace(figures, professionnels=None, montant_professionnels=None)
    changes = {}
    for zone in ("qpv", "rurale"):
        # Cells (département, in the zone or not): each département's total and the
        # région's "in the zone" / "not in the zone" totals are published.
        cells = {}
        for pk, row in rows.items():
            cells[(pk, True)] = row[zone]
            cells[(pk, False)] = row["nombre"] - row[zone]
        region_line = {
            flag: sum(n for (_, f), n in cells.items() if f is flag) for flag in (True, False)
        }
        forced = {(1, flag) for flag in secret.protect(region_line)}
        hidden = secret.protect_lines(cells, [lambda c: c[0], lambda c: c[1]], forced)
        if (departement.code, True) in hidden:
            changes[zone] = None
    return replace(figures, **changes)


def _key_figures(structures: list[dict], professionnels: list[dict]) -> ChiffresCles:
    """Counts, amounts and QPV / rural totals of two slices of the aggregate."""
    (s,) = _group(structures) or [_empty()]
    (p,) = _group(professionnels) or [_empty()]
    return ChiffresCles(
        s["nombre"], s["montant"] or Decimal(0), p["nombre"], p["montant"] or Decimal(0),
        s["qpv"] + p["qpv"], s["rurale"] + p["rurale"], bool(s["demo"] or p["demo"]),
    )  # fmt: skip


def per_100k(count: int, population: int | None) -> float | None:
    if not population:
        return None
    return round(count * 100_000 / population, 2)


def amount(value: Decimal | None) -> int | float | None:
    """A euro amount for JSON: an integer when it has no cents; None stays None (secret)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _labels(choices) -> dict[str, str]:
    return dict(choices.choices)


def _comptes(rows, key, choices) -> list[Compte]:
    """Breakdown lines in the order of the choices, non-zero ones only."""
    found = {row[key]: row for row in rows}
    return [
        Compte(value, label, found[value]["nombre"], found[value]["montant"] or Decimal(0))
        for value, label in _labels(choices).items()
        if value in found and found[value]["nombre"]
    ]


def population_by_departement(departements) -> dict[int, int]:
    """Municipal population of each département (communes only: Paris once, not twice)."""
    rows = (
        Commune.objects.communes()
        .filter(departement__in=departements)
        .values("departement")
        .annotate(population=Sum("population"))
        .order_by()
    )
    return {row["departement"]: row["population"] for row in rows}


# --- The national aggregate, once per data version ------------------------------------------
# Every key a bilan, the statistics API or a département page slices on: any région is a
# filter of these rows in Python, not a new query. Hundreds of rows, not one per record.
STRUCTURE_KEYS = (
    "region", "departement", "type", "statut", "annee", "en_qpv", "en_zone_rurale",
    "demonstration",
)  # fmt: skip
PROFESSIONNEL_KEYS = (
    "region", "departement", "profession", "annee", "en_qpv", "en_zone_rurale", "demonstration",
)  # fmt: skip
CACHE_PREFIX = "structures:bilan"
# Only frees the entries of past versions: a new version is a new key, read at once.
CACHE_TIMEOUT = 24 * 3600


@dataclass(frozen=True)
class Agregat:
    """Published structures and professionals counted by STRUCTURE_KEYS / PROFESSIONNEL_KEYS
    (with `nombre`, `montant`, `maj`), the départements and their population."""

    structures: list[dict]
    professionnels: list[dict]
    departements: list[tuple[int, str, str, int]]  # pk, code, nom, région pk; by code
    population: dict[int, int]


def aggregate(structures=None, professionnels=None) -> Agregat:
    """The aggregate of two querysets (of published records by default): 4 queries."""
    structures = Structure.objects.published() if structures is None else structures
    professionnels = (
        ProfessionnelSoutenu.objects.published() if professionnels is None else professionnels
    )
    totals = {"nombre": Count("pk"), "maj": Max("modifie_le")}
    s_rows = (
        structures.order_by()
        .annotate(annee=ExtractYear("date_decision"))
        .values(*STRUCTURE_KEYS)
        .annotate(**totals, montant=Sum("montant_accorde"))
    )
    p_rows = (
        professionnels.order_by()
        .values(*PROFESSIONNEL_KEYS)
        .annotate(**totals, montant=Sum("montant"))
    )
    departements = Departement.objects.order_by("code").values_list("pk", "code", "nom", "region")
    return Agregat(
        list(s_rows),
        list(p_rows),
        list(departements),
        population_by_departement(Departement.objects.all()),
    )


def national() -> Agregat:
    """The aggregate of every published record, computed once per data version (cached)."""
    key = f"{CACHE_PREFIX}:{dataversion.current()}"
    agregat = cache.get(key)
    if agregat is None:
        agregat = aggregate()
        cache.set(key, agregat, CACHE_TIMEOUT)
    return agregat


def _empty() -> dict:
    return {"nombre": 0, "montant": None, "qpv": 0, "rurale": 0, "demo": 0, "maj": None}


def _group(rows, *keys) -> list[dict]:
    """Rows of the aggregate added up by `keys`, as the database's GROUP BY would: `montant`
    stays None when no row has one; `qpv`, `rurale`, `demo` count the records so flagged."""
    groups: dict[tuple, dict] = {}
    for row in rows:
        values = tuple(row[key] for key in keys)
        group = groups.get(values)
        if group is None:
            group = groups[values] = {**dict(zip(keys, values, strict=True)), **_empty()}
        nombre = row["nombre"]
        group["nombre"] += nombre
        if row["montant"] is not None:
            group["montant"] = (group["montant"] or Decimal(0)) + row["montant"]
        group["qpv"] += nombre if row["en_qpv"] else 0
        group["rurale"] += nombre if row["en_zone_rurale"] else 0
        group["demo"] += nombre if row["demonstration"] else 0
        if row["maj"] is not None and (group["maj"] is None or row["maj"] > group["maj"]):
            group["maj"] = row["maj"]
    return list(groups.values())


def compute(region: Region | None = None, structures=None, professionnels=None) -> Bilan:
    """The bilan of a région (or of every région): a slice of the national aggregate (no
    query once cached), or of the aggregate of the given querysets (4 queries).

    Professionals' figures come out already under the statistical secret (portal.lib.secret),
    applied to the slice.
    """
    if structures is None and professionnels is None:
        agregat = national()
    else:
        agregat = aggregate(structures, professionnels)
    s_rows, p_rows = agregat.structures, agregat.professionnels
    if region is not None:
        s_rows = [row for row in s_rows if row["region"] == region.pk]
        p_rows = [row for row in p_rows if row["region"] == region.pk]
    bilan = Bilan(region=region)

    by_type = _group(s_rows, "type")
    bilan.par_type = _comptes(by_type, "type", TypeStructure)
    bilan.structures = sum(row["nombre"] for row in by_type)
    bilan.montant_structures = sum((row["montant"] or 0 for row in by_type), Decimal(0))
    bilan.par_statut = _comptes(_group(s_rows, "statut"), "statut", Statut)
    # Professionals by région too: a figure of all régions hides what a région's bilan hides.
    by_profession = _group(p_rows, "region", "profession")
    cells = Cellules()
    cells.add("profession", by_profession, "profession")
    bilan.par_profession = _comptes(cells.merged("profession"), "profession", Profession)
    bilan.professionnels = sum(row["nombre"] for row in by_profession)
    bilan.montant_professionnels = sum((row["montant"] or 0 for row in by_profession), Decimal(0))
    for zone in ("qpv", "rurale"):
        for row in by_profession:
            cells.count(zone, row["region"], True, row[zone])
            cells.count(zone, row["region"], False, row["nombre"] - row[zone])

    (s_flags,) = _group(s_rows) or [_empty()]
    (p_flags,) = _group(p_rows) or [_empty()]
    bilan.qpv = LigneZone(bilan.qpv.libelle, s_flags["qpv"], p_flags["qpv"])
    bilan.rurale = LigneZone(bilan.rurale.libelle, s_flags["rurale"], p_flags["rurale"])
    bilan.demonstration = bool(s_flags["demo"] or p_flags["demo"])
    dates = [d for d in (s_flags["maj"], p_flags["maj"]) if d is not None]
    bilan.mise_a_jour = max(dates) if dates else None

    bilan.par_departement = _par_departement(agregat, region, s_rows, p_rows, cells)
    bilan.par_annee = _par_annee(s_rows, p_rows, cells)
    _apply_secret(bilan, cells)
    return bilan


class Cellules:
    """Professionals' cells of the bilan's tables, by région, for portal.lib.secret."""

    def __init__(self):
        self.tables: dict[str, dict[tuple, int]] = {}
        self.sums: dict[str, dict] = {}

    def count(self, table, region, key, nombre, montant=None):
        cells = self.tables.setdefault(table, {})
        cells[(region, key)] = cells.get((region, key), 0) + nombre
        sums = self.sums.setdefault(table, {})
        entry = sums.setdefault(key, {table: key, "nombre": 0, "montant": None})
        entry["nombre"] += nombre
        if montant is not None:
            entry["montant"] = (entry["montant"] or Decimal(0)) + montant

    def add(self, table, rows, key):
        for row in rows:
            self.count(table, row["region"], row[key], row["nombre"], row["montant"])

    def merged(self, table) -> list[dict]:
        return list(self.sums.get(table, {}).values())

    def hidden(self, table) -> set:
        """Keys hidden in the table: hidden in one région's line (its total is published)."""
        cells = self.tables.get(table, {})
        hidden = secret.protect_lines(cells, [lambda cell: cell[0]])
        return {key for _, key in hidden}

    def totals_hidden(self) -> bool:
        """A région's total below the threshold hides the total of all régions too."""
        totals = defaultdict(int)
        for (region, _), nombre in self.tables.get("profession", {}).items():
            totals[region] += nombre
        return any(secret.is_secret(n) for n in totals.values())


def _apply_secret(bilan: Bilan, cells: Cellules) -> None:
    """Hide the professionals' cells (count and amount) that portal.lib.secret hides."""
    hidden = 0
    if cells.totals_hidden() or secret.is_secret(bilan.professionnels):
        bilan.professionnels = bilan.montant_professionnels = None
        hidden += 1
    professions = cells.hidden("profession")
    bilan.par_profession = [
        replace(c, nombre=None, montant=None) if c.cle in professions else c
        for c in bilan.par_profession
    ]
    departements = cells.hidden("departement")
    bilan.par_departement = [
        replace(d, professionnels=None) if d.code in departements and d.code else d
        for d in bilan.par_departement
    ]
    annees = cells.hidden("annee")
    bilan.par_annee = [
        replace(a, professionnels=None, montant_professionnels=None) if a.annee in annees else a
        for a in bilan.par_annee
    ]
    for zone in ("qpv", "rurale"):
        if True in cells.hidden(zone):
            setattr(bilan, zone, replace(getattr(bilan, zone), professionnels=None))
            hidden += 1
    bilan.secrets = hidden + len(professions) + len(departements) + len(annees)


def _par_departement(agregat, region, s_rows, p_rows, cells) -> list[LigneDepartement]:
    s_counts = {row["departement"]: row["nombre"] for row in _group(s_rows, "departement")}
    p_counts = {row["departement"]: row["nombre"] for row in _group(p_rows, "departement")}
    departements = agregat.departements
    if region is not None:
        departements = [dep for dep in departements if dep[3] == region.pk]
    else:
        # Every département of the régions that have records, so that zeros show too.
        present = {pk for pk in (*s_counts, *p_counts) if pk is not None}
        regions = {dep[3] for dep in departements if dep[0] in present}
        departements = [dep for dep in departements if dep[3] in regions]
    for pk, code, _nom, region_pk in departements:
        cells.count("departement", region_pk, code, p_counts.get(pk, 0))
    lines = [
        LigneDepartement(
            code, nom, s_counts.get(pk, 0), p_counts.get(pk, 0), agregat.population.get(pk)
        )
        for pk, code, nom, _region in departements
    ]
    lines.append(
        LigneDepartement(
            None,
            "Hors département (réseaux régionaux)",
            s_counts.get(None, 0),
            p_counts.get(None, 0),
            None,
        )
    )
    return lines


def _par_annee(s_rows, p_rows, cells) -> list[LigneAnnee]:
    s_by_year = {row["annee"]: row for row in _group(s_rows, "annee")}
    cells.add("annee", _group(p_rows, "region", "annee"), "annee")
    p_by_year = {row["annee"]: row for row in cells.merged("annee")}
    years = sorted({*s_by_year, *p_by_year}, key=lambda y: (y is None, y or 0))
    empty = {"nombre": 0, "montant": None}
    return [
        LigneAnnee(
            year,
            s_by_year.get(year, empty)["nombre"],
            s_by_year.get(year, empty)["montant"] or Decimal(0),
            p_by_year.get(year, empty)["nombre"],
            p_by_year.get(year, empty)["montant"] or Decimal(0),
        )
        for year in years
    ]
