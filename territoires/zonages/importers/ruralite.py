"""Rurality acts: France Ruralités Revitalisation (FRR, list of 10 July 2025) and the former
Zones de revitalisation rurale (ZRR, arrêté of 16 March 2017, given in COG 2021).

Both are national acts of the same supersession group (kind rural, no profession, no région):
ZRR answers until 30 June 2024, FRR from 1 July 2024. Only the communes of the selected
régions are linked; a line outside them is counted, a code the COG does not know (in a
selected région) is reported and skipped. A ZRR code of 2021 leads to its current commune
directly or through its former code; a commune nouvelle whose former communes were not
classified alike is covered "in part" (`partiel`): the address decides.
Files are read by `territoires.zonages.importers.annexe.read_annex` (header found among the
first lines, separator and encoding detected); every malformed line is a French error with
its number and nothing is written.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from territoires.models import Commune, CommuneAlias, Departement, ZonageKind
from territoires.text import normalize_name
from territoires.zonages.categories import RURAL
from territoires.zonages.importers.acte import ImportResult, check_spec
from territoires.zonages.importers.annexe import AnnexError, read_annex, split_code
from territoires.zonages.importers.sync import (
    ActeSpec,
    WantedCategory,
    WantedZone,
    apply_plan,
    build_plan,
)

CHECK = " — à vérifier à l'adresse"
MAX_LISTED = 20  # unknown codes shown in a warning, the rest counted


def fingerprint(content: bytes, regions) -> str:
    """SHA-256 of the file and of the régions it was imported for (what shapes the act)."""
    digest = hashlib.sha256(content)
    digest.update(("\0regions=" + ",".join(sorted(regions))).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Classement:
    """What a value of the file means: a zone of `categorie`, whole or in part."""

    categorie: str
    partiel: bool = False
    libelle: str = ""  # the zone's own label (partial zones); "" shows the category's


# --- FRR ------------------------------------------------------------------------------------

FRR_CATEGORIES = tuple(WantedCategory.known(c) for c in RURAL if c.code.startswith("frr"))
# Values of "Classement FRR et FRR+ au 10 juillet 2025" (key: `_key`); None: no zone.
FRR_VALUES = {
    "non classee": None,
    "frr socle": Classement("frr"),
    "frr plus": Classement("frr-plus"),
    "frr beneficiaire": Classement("frr-beneficiaire"),
    "frr beneficiaire partiellement": Classement(
        "frr-beneficiaire", True, "FRR bénéficiaire partiellement" + CHECK
    ),
    # La Réunion: communes classified for part of their territory only.
    "classee frr partiellement": Classement("frr", True, "Classée FRR partiellement" + CHECK),
}
FRR_WRITTEN = (
    "Non classée, FRR socle, FRR+, FRR bénéficiaire, FRR bénéficiaire partiellement, "
    "Classée FRR partiellement"
)


def frr_spec(filename: str = "", empreinte: str = "") -> ActeSpec:
    return ActeSpec(
        kind=ZonageKind.RURAL,
        profession="",
        region=None,
        titre="Classement France Ruralités Revitalisation (FRR et FRR+) au 10 juillet 2025",
        editeur="DGCL / ANCT",
        date_acte=dt.date(2025, 7, 10),
        url="",
        # FRR replaced the ZRR on 1 July 2024 (FRR+ since 1 January 2025, décret 2025-628).
        valide_du=dt.date(2024, 7, 1),
        source=_source(
            "DGCL / ANCT, liste des communes classées FRR et FRR+ au 10 juillet 2025 "
            "(Licence Ouverte)",
            filename,
        ),
        empreinte=empreinte,
    )


# --- ZRR ------------------------------------------------------------------------------------

ZRR_CATEGORIES = tuple(WantedCategory.known(c, ordre=1) for c in RURAL if c.code == "zrr")
# ZRR_SIMP: "C - Classée en ZRR", "P - Commune partiellement classée en ZRR", "NC - …".
ZRR_VALUES = {
    "nc": None,
    "c": Classement("zrr"),
    "p": Classement("zrr", True, "Commune partiellement classée en ZRR" + CHECK),
}
ZRR_WRITTEN = (
    "C - Classée en ZRR, P - Commune partiellement classée en ZRR, NC - Commune non classée"
)
ZRR_HEADER = "codgeo"  # the file repeats its header with the variable names: not a commune


def zrr_spec(filename: str = "", empreinte: str = "") -> ActeSpec:
    return ActeSpec(
        kind=ZonageKind.RURAL,
        profession="",
        region=None,
        titre="Zones de revitalisation rurale (arrêté du 16 mars 2017 modifié)",
        editeur="ANCT — Observatoire des territoires",
        date_acte=dt.date(2017, 3, 16),
        url="",
        valide_du=dt.date(2017, 7, 1),
        valide_au=dt.date(2024, 6, 30),
        source=_source(
            "ANCT — Observatoire des territoires, classement en ZRR (arrêté du 16 mars 2017 "
            "modifié le 22 février 2018) converti au COG 2021",
            filename,
        ),
        empreinte=empreinte,
    )


def _source(text: str, filename: str) -> str:
    return f"{text}, fichier « {filename[:60]} »" if filename else text


def _key(value: str) -> str:
    return normalize_name(value.replace("+", " plus "))


def _zrr_key(value: str) -> str:
    """ "C - Classée en ZRR" → "c"; a bare code ("P") or the label alone are read too."""
    code = value.split(" - ", 1)[0] if " - " in value else value
    key = _key(code)
    if key in ZRR_VALUES:
        return key
    for known, label in (("nc", "commune non classee"), ("p", "partiellement"), ("c", "classee")):
        if label in _key(value):
            return known
    return key


# --- Communes of the selected régions ------------------------------------------------------


def departement_of(code: str) -> str:
    """ "08001" → "08", "2A004" → "2A", "97411" → "974"."""
    return code[:3] if code.startswith("97") else code[:2]


class RegionCommunes:
    """Communes of some régions by current code, and former codes → current communes."""

    def __init__(self, regions):
        self.departements = set(
            Departement.objects.filter(region__in=regions).values_list("code", flat=True)
        )
        self.by_code = dict(Commune.objects.filter(region__in=regions).values_list("code", "id"))
        self.former = defaultdict(set)
        aliases = CommuneAlias.objects.filter(
            kind=CommuneAlias.Kind.ANCIEN_CODE, commune__region__in=regions
        ).values_list("code", "commune_id")
        for code, pk in aliases:
            self.former[code].add(pk)

    @staticmethod
    def is_code(code: str) -> bool:
        """A 5-character commune code (not an IRIS code)."""
        part = split_code(code)
        return part is not None and not part[1]

    def covers(self, code: str) -> bool:
        return departement_of(code) in self.departements

    def resolve(self, code: str) -> set[int]:
        """Current commune of a code: itself, else the commune(s) its former code leads to."""
        if code in self.by_code:
            return {self.by_code[code]}
        return set(self.former.get(code, ()))


# --- Plan -----------------------------------------------------------------------------------


def _classify(lines, values, key, written, errors):
    """[(line, code, Classement | None)] of the well-formed lines; errors for the others."""
    classified, seen = [], {}
    for line in lines:
        if _key(line.code) == ZRR_HEADER:
            continue
        if not RegionCommunes.is_code(line.code):
            shown = line.code[:20] or "(vide)"
            errors.append(
                f"Ligne {line.line} : code commune « {shown} » invalide (code INSEE à 5 "
                "caractères attendu)."
            )
            continue
        value = key(line.categorie)
        if value not in values:
            shown = line.categorie[:60] or "(vide)"
            errors.append(
                f"Ligne {line.line} : classement « {shown} » inconnu (valeurs attendues : "
                f"{written})."
            )
            continue
        previous = seen.get(line.code)
        if previous is not None:
            if previous[1] != value:
                errors.append(
                    f"Ligne {line.line} : la commune {line.code} est déjà classée ligne "
                    f"{previous[0]} autrement."
                )
            continue
        seen[line.code] = (line.line, value)
        classified.append((line.line, line.code, values[value]))
    return classified


def _merged(classements, categories) -> Classement | None:
    """One commune's classification from its lines (a commune nouvelle has several)."""
    kinds = set(classements)
    if len(kinds) == 1:
        return classements[0]
    # Former communes classified differently: the commune is covered in part.
    ordre = {c.code: c.ordre for c in categories}
    present = sorted({c.categorie for c in kinds if c}, key=ordre.get)
    libelle = next(c.libelle for c in categories if c.code == present[0])
    return Classement(
        present[0], True, f"{libelle} pour une partie de la commune (communes fusionnées)" + CHECK
    )


def plan_list(content, filename, spec, regions, *, values, key, written, categories):
    """Read a national list of communes and compare it with the database (writes nothing)."""
    result = ImportResult()
    result.errors += check_spec(spec)
    try:
        lines = read_annex(content, filename)
    except AnnexError as exc:
        result.errors.append(str(exc))
        return result
    classified = _classify(lines, values, key, written, result.errors)
    if result.errors:
        return result
    communes = RegionCommunes(regions)
    per_commune, outside, unknown = defaultdict(list), 0, []
    for _line, code, classement in classified:
        if not communes.covers(code):
            outside += 1
            continue
        targets = communes.resolve(code)
        if not targets:
            unknown.append(code)
        for pk in targets:
            per_commune[pk].append(classement)
    if outside:
        result.warnings.append(f"{outside} ligne(s) hors des régions choisies, ignorée(s).")
    if unknown:
        shown = ", ".join(unknown[:MAX_LISTED]) + (" …" if len(unknown) > MAX_LISTED else "")
        result.warnings.append(f"{len(unknown)} code(s) inconnu(s) du COG, ignoré(s) : {shown}.")
    zones = {}
    for pk, classements in per_commune.items():
        classement = _merged(classements, categories)
        if classement is None:
            continue
        key_ = (classement.categorie, classement.libelle)
        zone = zones.setdefault(
            key_,
            WantedZone(
                categorie=classement.categorie,
                libelle=classement.libelle,
                partiel=classement.partiel,
            ),
        )
        zone.perimetre.add((pk, ""))
    result.plan = build_plan(spec, categories, zones.values())
    return result


def plan_frr(content: bytes, filename: str, spec: ActeSpec, regions) -> ImportResult:
    return plan_list(
        content, filename, spec, regions,
        values=FRR_VALUES, key=_key, written=FRR_WRITTEN, categories=FRR_CATEGORIES,
    )  # fmt: skip


def plan_zrr(content: bytes, filename: str, spec: ActeSpec, regions) -> ImportResult:
    return plan_list(
        content, filename, spec, regions,
        values=ZRR_VALUES, key=_zrr_key, written=ZRR_WRITTEN, categories=ZRR_CATEGORIES,
    )  # fmt: skip


def apply(result: ImportResult, reason: str) -> None:
    """Write a checked plan (inside the caller's transaction); no plan, nothing to write."""
    if result.ok and result.plan is not None and result.plan.has_changes:
        result.zonage = apply_plan(result.plan, reason=reason)
    elif result.plan:
        result.zonage = result.plan.zonage
