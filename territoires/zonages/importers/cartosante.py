"""Import of the ARS zonings per profession as CartoSanté (ATLASANTÉ) exports them.

One national file per profession (`Code;Libellé;Zonage <profession>`, one row per commune
or municipal arrondissement) becomes one act per profession and région. The exports carry
no date and no arrêté reference: an act is "the zoning in force at the date of the export",
unless the file is one of the offline copies whose act is known (Île-de-France doctors).
Any malformed line refuses the whole file (French message with its line number); codes the
référentiel does not hold (collectivités d'outre-mer) are counted and skipped. A file
already imported with the same options is recognised by its fingerprint and not compared
again row by row: setup_demo runs this on every start.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from territoires.models import (
    Commune,
    CommuneAlias,
    Departement,
    Profession,
    Region,
    Zonage,
    ZonageKind,
    means_all_regions,
)
from territoires.text import normalize_name
from territoires.zonages.categories import KnownCategory, find_known, known_categories
from territoires.zonages.importers.acte import ImportResult, check_spec
from territoires.zonages.importers.options import parse_date
from territoires.zonages.importers.sync import (
    ActeSpec,
    Plan,
    WantedCategory,
    WantedZone,
    apply_plan,
    build_plan,
)

# Bump when the way acts are built from a file changes: stored fingerprints then differ.
FORMAT_VERSION = "1"
CREDIT = "CartoSanté (ATLASANTÉ)"
CODE_PATTERN = re.compile(r"^(?:\d{2}|2[AB])\d{3}$")
TITLE_LINES = 2  # "CartoSanté; ;" and "Référentiel géographique : …; ;" (absent when derived)
SHOWN_CODES = 10
# Collectivités the COG lists as régions, whose zoning is that of the ARS of Guadeloupe.
ARS_OF_COLLECTIVITE = {"977": "Guadeloupe", "978": "Guadeloupe"}


@dataclass(frozen=True)
class _Metier:
    colonne: str  # the header's third column, as CartoSanté writes it
    pluriel: str  # as in the title: "Zonage des infirmiers"


METIERS = {
    Profession.CHIRURGIEN_DENTISTE: _Metier("Zonage chirurgien-dentiste", "chirurgiens-dentistes"),
    Profession.INFIRMIER: _Metier("Zonage infirmiers", "infirmiers"),
    Profession.MASSEUR_KINESITHERAPEUTE: _Metier("Zonage kinés", "masseurs-kinésithérapeutes"),
    Profession.ORTHOPHONISTE: _Metier("Zonage orthophonistes", "orthophonistes"),
    Profession.SAGE_FEMME: _Metier("Zonage sages-femmes", "sages-femmes"),
    Profession.MEDECIN_GENERALISTE: _Metier(
        "Zonage médecins généralistes", "médecins généralistes"
    ),
}
# Normalised "<profession>" of the header → profession.
HEADER_PROFESSIONS = {
    normalize_name(metier.colonne.removeprefix("Zonage ")): profession
    for profession, metier in METIERS.items()
}


@dataclass(frozen=True)
class KnownAct:
    """What is known of the act a file reproduces for one région (README of the data)."""

    date_acte: dt.date | None = None
    arrete: str = ""  # how the title names the act
    revision_publiee: str = ""


@dataclass(frozen=True)
class KnownExport:
    """An offline copy of a CartoSanté export: its date (at the latest) and provenance."""

    profession: str
    date_export: dt.date
    provenance: str
    actes: dict = field(default_factory=dict)  # région code → KnownAct


_DOCTONEXT = "copie publique zeusinsight/doctonext (Zonage_Doctonext)"
KNOWN_EXPORTS = {
    "infirmiers.csv": KnownExport(
        Profession.INFIRMIER,
        dt.date(2026, 3, 6),
        "export « Zonage infirmiers », copie publique juliedecroixpro-droid/cartosante "
        "(zonage-raw.csv)",
    ),
    "masseurs-kinesitherapeutes.csv": KnownExport(
        Profession.MASSEUR_KINESITHERAPEUTE,
        dt.date(2025, 9, 12),
        f"export « Zonage kinés », {_DOCTONEXT}",
    ),
    "sages-femmes.csv": KnownExport(
        Profession.SAGE_FEMME, dt.date(2025, 9, 12), f"export « Zonage sages-femmes », {_DOCTONEXT}"
    ),
    "orthophonistes.csv": KnownExport(
        Profession.ORTHOPHONISTE,
        dt.date(2025, 9, 12),
        f"export « Zonage orthophonistes », {_DOCTONEXT}",
    ),
    "chirurgiens-dentistes.csv": KnownExport(
        Profession.CHIRURGIEN_DENTISTE,
        dt.date(2025, 9, 12),
        f"export « Zonage chirurgien-dentiste », {_DOCTONEXT}",
    ),
    "medecins-generalistes-derive.csv": KnownExport(
        Profession.MEDECIN_GENERALISTE,
        dt.date(2025, 5, 9),
        "dérivé d'un export CartoSanté re-codé par code postal (copie publique "
        "Alternantsauvage/ZonageMed, zonmed.csv du 9 mai 2025), rattaché aux codes INSEE",
        {
            "11": KnownAct(dt.date(2022, 3, 30), "arrêté du 30 mars 2022", "le 9 décembre 2025"),
            "44": KnownAct(revision_publiee="en 2026"),
        },
    ),
}


@dataclass
class CartoSanteResult(ImportResult):
    """Errors refuse everything; `summary` is what the command prints after the progress."""

    profession: str = ""
    plans: list[Plan] = field(default_factory=list)
    zonages: list[Zonage] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    up_to_date: bool = False


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    categorie: KnownCategory


def _short(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _expected_header() -> str:
    names = ", ".join(m.colonne.removeprefix("Zonage ") for m in METIERS.values())
    return f"« Code;Libellé;Zonage <profession> » (profession : {names})"


def _open(content: bytes, result: CartoSanteResult):
    """(profession, CSV reader positioned on the first data row); errors in `result`.

    Only the header is read here: a file already imported is recognised without its rows.
    """
    if not content.strip():
        result.errors.append("Le fichier est vide.")
        return None, None
    if len(content) > settings.IMPORT_MAX_FILE_SIZE:
        result.errors.append(
            f"Fichier trop volumineux ({len(content) // 1024} Ko) : la limite est de "
            f"{settings.IMPORT_MAX_FILE_SIZE // 1024} Ko."
        )
        return None, None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        result.errors.append(
            f"Ligne {line} : le fichier n'est pas en UTF-8 (encodage des exports CartoSanté)."
        )
        return None, None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    first = ""
    try:
        for cells in reader:
            first = first or ";".join(cells)
            if [normalize_name(c) for c in cells[:2]] == ["code", "libelle"] and len(cells) >= 3:
                written = cells[2].strip()
                profession = HEADER_PROFESSIONS.get(normalize_name(written).removeprefix("zonage "))
                if profession is None:
                    result.errors.append(
                        f"Ligne {reader.line_num} : en-tête « {_short(written)} » non reconnu ; "
                        f"attendu {_expected_header()}."
                    )
                return profession, reader
            if reader.line_num > TITLE_LINES:
                break
    except csv.Error as exc:
        result.errors.append(f"Ligne {reader.line_num} : CSV mal formé ({exc}).")
        return None, None
    result.errors.append(
        f"En-tête CartoSanté introuvable (première ligne : « {_short(first)} ») : "
        f"attendu {_expected_header()}, après au plus {TITLE_LINES} lignes de titre."
    )
    return None, None


def _rows(reader, result):
    """(line number, cells) of the data rows; a broken CSV ends them with an error."""
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        result.errors.append(f"Ligne {reader.line_num} : CSV mal formé ({exc}).")


def _parse(reader, profession, result) -> list[_Row]:
    """Every data row checked: code, label, duplicates. Errors name the line."""
    parsed, seen = [], {}
    vocabulary = known_categories(ZonageKind.ARS, profession)
    for number, cells in _rows(reader, result):
        values = [c.strip() for c in cells]
        if not any(values):
            continue
        if len(values) < 3 or any(values[3:]):
            result.errors.append(
                f"Ligne {number} : trois colonnes attendues (Code;Libellé;Zonage), "
                f"{len([v for v in values if v])} trouvée(s)."
            )
            continue
        code, label = values[0].upper(), values[2]
        if not CODE_PATTERN.match(code):
            result.errors.append(
                f"Ligne {number} : code « {_short(values[0])} » invalide (code INSEE de commune "
                "ou d'arrondissement à 5 caractères attendu)."
            )
            continue
        categorie = find_known(label, ZonageKind.ARS, profession) if label else None
        if categorie is None:
            known = ", ".join(c.libelle for c in vocabulary)
            result.errors.append(
                f"Ligne {number} : zonage « {_short(label)} » inconnu pour les "
                f"{METIERS[profession].pluriel} (catégories connues : {known})."
            )
            continue
        if code in seen:
            result.errors.append(f"Ligne {number} : code {code} déjà présent ligne {seen[code]}.")
            continue
        seen[code] = number
        parsed.append(_Row(number, code, categorie))
    if not parsed and not result.errors:
        result.errors.append("Le fichier ne contient aucune ligne de données après l'en-tête.")
    return parsed


def _regions(codes, result) -> list[Region]:
    """The régions asked for (None or "all": every région of the référentiel)."""
    if codes is None or means_all_regions(codes):
        regions = list(Region.objects.order_by("code"))
        if not regions:
            result.errors.append("Aucune région dans le référentiel : importez d'abord le COG.")
        return regions
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    for code in codes:
        if code not in regions:
            result.errors.append(
                f"Région « {_short(code, 10)} » inconnue du référentiel (importez d'abord le COG)."
            )
    return [regions[code] for code in sorted(set(codes)) if code in regions]


def _departement_of(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def _fingerprint(content: bytes, filename: str, profession, regions, date_export) -> str:
    """SHA-256 of the file and of what shapes its acts (options, vocabulary, format)."""
    options = {
        "format": FORMAT_VERSION,
        "fichier": filename,
        "regions": [r.code for r in regions],
        "date_export": date_export.isoformat(),
        "categories": repr(known_categories(ZonageKind.ARS, profession)),
    }
    digest = hashlib.sha256(json.dumps(options, sort_keys=True).encode())
    digest.update(content)
    return digest.hexdigest()


def _spec(region, profession, filename, export, date_export, empreinte) -> ActeSpec:
    known = export.actes.get(region.code, KnownAct()) if export else KnownAct()
    metier = METIERS[profession]
    ars = ARS_OF_COLLECTIVITE.get(region.code)
    ars, where = (f"ARS {ars}", f"ARS {ars}, {region.nom}") if ars else (f"ARS {region.nom}",) * 2
    detail = f"CartoSanté, {known.arrete}" if known.arrete else "CartoSanté"
    provenance = export.provenance if export else f"export « {metier.colonne} »"
    return ActeSpec(
        kind=ZonageKind.ARS,
        profession=profession,
        region=region,
        titre=f"Zonage des {metier.pluriel} — {where} ({detail})",
        editeur=f"{ars} — CartoSanté",
        date_acte=known.date_acte,
        url="",
        valide_du=known.date_acte or date_export,
        source=f"{CREDIT} — {_short(filename, 80)} : {provenance}"[:300],
        date_export=date_export,
        revision_publiee=known.revision_publiee,
        empreinte=empreinte,
    )


@dataclass(frozen=True)
class _Territory:
    commune_id: int
    categorie: KnownCategory


def _wanted(territories) -> tuple[list[WantedCategory], list[WantedZone]]:
    """One zone per category, over its territories; the categories the région uses."""
    zones = {}
    for territory in territories:
        category = territory.categorie
        zone = zones.setdefault(category, WantedZone(categorie=category.code))
        zone.perimetre.add((territory.commune_id, ""))
    categories = [WantedCategory.known(c) for c in sorted(zones, key=lambda c: c.ordre)]
    return categories, list(zones.values())


def _by_region(parsed, regions, everywhere: bool, result) -> dict[int, list[_Territory]]:
    """The territories of the selected régions by région id (one commune query). Rows of
    other régions are ignored; codes the référentiel lacks are skipped with a warning."""
    selected = {r.pk for r in regions}
    query = Commune.objects.all() if everywhere else Commune.objects.filter(region__in=selected)
    communes = {
        code: (pk, region) for code, pk, region in query.values_list("code", "id", "region")
    }
    departements = dict(Departement.objects.values_list("code", "region"))
    territories = {pk: [] for pk in selected}
    elsewhere, missing = 0, []
    for row in parsed:
        commune = communes.get(row.code)
        if commune is not None:
            territories[commune[1]].append(_Territory(commune[0], row.categorie))
        elif everywhere or departements.get(_departement_of(row.code)) in selected:
            missing.append(row.code)
        else:
            elsewhere += 1
    if elsewhere:
        result.summary.append(f"{elsewhere} ligne(s) d'autres régions ignorée(s).")
    _warn_missing(missing, None if everywhere else selected, result)
    return territories


def _shown(items) -> str:
    return ", ".join(items[:SHOWN_CODES]) + (", …" if len(items) > SHOWN_CODES else "")


def _warn_missing(missing, selected, result):
    """Codes the référentiel lacks: former codes of merged communes (the export predates the
    merger; the current commune keeps the row of its own code) or codes never imported."""
    if not missing:
        return
    aliases = CommuneAlias.objects.filter(kind=CommuneAlias.Kind.ANCIEN_CODE)
    if selected is not None:
        aliases = aliases.filter(commune__region__in=selected)
    current = {
        old: f"{old} → {nom} ({code})"
        for old, code, nom in aliases.values_list("code", "commune__code", "commune__nom")
    }
    former = [current[code] for code in missing if code in current]
    unknown = [code for code in missing if code not in current]
    if former:
        result.warnings.append(
            f"{len(former)} ancien(s) code(s) de communes fusionnées ignoré(s) (seule compte la "
            f"ligne du code actuel) : {_shown(former)}."
        )
    if unknown:
        result.warnings.append(
            f"{len(unknown)} code(s) absent(s) du référentiel géographique ignoré(s) "
            f"(collectivités d'outre-mer, communes non importées…) : {_shown(unknown)}."
        )


def _fingerprinted(profession, regions, empreinte) -> list[Zonage]:
    """The acts of these régions that an import of this very file and options wrote."""
    return list(
        Zonage.objects.filter(
            kind=ZonageKind.ARS,
            profession=profession,
            region__in=regions,
            demonstration=False,
            empreinte=empreinte,
        ).order_by("region__code")
    )


def _regions_in(parsed, regions) -> set[int]:
    """Ids of the selected régions the rows fall in (by département: no commune query)."""
    departements = dict(Departement.objects.values_list("code", "region"))
    found = {departements.get(_departement_of(row.code)) for row in parsed}
    return found & {r.pk for r in regions}


def _up_to_date(result, acts):
    result.up_to_date = True
    result.zonages = acts
    for zonage in acts:
        result.summary.append(f"« {zonage.titre} » : déjà à jour (même fichier, mêmes options).")
    return result


_EMPREINTE = f"« {Zonage._meta.get_field('empreinte').verbose_name} » :"


def _readable(line: str) -> str:
    """The plan's summary line, but a changed fingerprint said in words, not two hashes."""
    if line.startswith(_EMPREINTE):
        return f"{_EMPREINTE} fichier ou options différents de l'import précédent."
    return line


def _status(plan: Plan, dry_run: bool) -> str:
    if plan.zonage is None:
        return "à créer" if dry_run else "créé"
    if plan.has_changes:
        return "à mettre à jour" if dry_run else "mis à jour"
    return "inchangé"


def import_cartosante(
    content: bytes,
    filename: str,
    *,
    regions: list[str] | None,
    date_export=None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    user=None,
) -> CartoSanteResult:
    """Read, check, compare and (unless `dry_run`) write, in one transaction.

    `regions`: codes of the régions to import, None (or "all") for every région of the
    référentiel. `date_export`: the export's date when the file is not a known copy.
    """
    progress = progress or (lambda line: None)
    result = CartoSanteResult(dry_run=dry_run)
    everywhere = regions is None or means_all_regions(regions)
    selected = _regions(regions, result)
    date = parse_date(date_export, "Date de l'export", result.errors)
    profession, reader = _open(content, result)
    if result.errors:
        return result
    result.profession = profession
    export = KNOWN_EXPORTS.get(filename)
    if export is not None and export.profession != profession:
        export = None  # a file renamed after a known copy: its dates would be wrong
    date = date or (export.date_export if export else None)
    if date is None:
        result.errors.append(
            f"Date de l'export inconnue pour « {_short(filename)} » : les exports CartoSanté ne "
            "la portent pas, indiquez-la (--date-export AAAA-MM-JJ)."
        )
    if result.errors:
        return result
    empreinte = _fingerprint(content, filename, profession, selected, date)
    # Already imported: every act the run would write carries the fingerprint. One query
    # when every selected région has its act; otherwise (--all: régions without rows) the
    # rows say which régions the file covers.
    done = _fingerprinted(profession, selected, empreinte)
    if {a.region_id for a in done} == {r.pk for r in selected}:
        return _up_to_date(result, done)
    parsed = _parse(reader, profession, result)
    if result.errors:
        return result
    if done and {a.region_id for a in done} == _regions_in(parsed, selected):
        return _up_to_date(result, done)
    with transaction.atomic():
        territories = _by_region(parsed, selected, everywhere, result)
        empty = [region.nom for region in selected if not territories[region.pk]]
        if empty:
            result.warnings.append(f"Aucune ligne, donc aucun acte, pour : {', '.join(empty)}.")
        for region in selected:
            if not territories[region.pk]:
                continue
            spec = _spec(region, profession, filename, export, date, empreinte)
            result.errors += check_spec(spec)
            progress(f"{spec.titre} : {len(territories[region.pk])} territoire(s) à comparer.")
            categories, zones = _wanted(territories[region.pk])
            result.plans.append(build_plan(spec, categories, zones))
        if result.errors:
            return result
        for plan in result.plans:
            result.summary.append(f"« {plan.spec.titre} » : {_status(plan, dry_run)}.")
            result.summary += [f"  {_readable(line)}" for line in plan.summary()]
            if dry_run or not plan.has_changes:
                result.zonages += [plan.zonage] if plan.zonage else []
                continue
            result.zonages.append(
                apply_plan(plan, user=user, reason=f"Import CartoSanté de {_short(filename, 80)}")
            )
    return result
