"""Reading the CSV/XLSX annexes that ARS publish with their zoning arrêtés.

An annex has one row per territory (INSEE commune or arrondissement code, or a 9-digit IRIS
code) with its category. Files differ in column names, separators and encodings, so the
header is recognised among common names, CSV separators `;`, `,` and tabulations are
detected, and CSV text is read as UTF-8 (with or without BOM), falling back to Windows-1252
(what Excel writes in France). Line numbers are those a user sees in a spreadsheet.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings

from territoires.text import normalize_name

CODE_COLUMNS = (
    "code insee",
    "code commune",
    "code commune insee",
    "code insee commune",
    "codgeo",
    "code geo",
    "code geographique",
    "insee",
    "insee com",
    "code com",
    "depcom",
    "com",
    "code",
    "code iris",
    "iris",
    "code arrondissement",
    "code territoire",
)
CATEGORY_COLUMNS = (
    "zonage",
    "zone",
    "categorie",
    "categorie de zone",
    "classement",
    "type de zone",
    "type zone",
    "niveau",
    "niveau de zonage",
    "qualification",
    "zonage medecin",
    "zonage medecins",
    "zonage mg",
)
ZONE_COLUMNS = (
    "territoire de vie sante",
    "tvs",
    "libelle tvs",
    "nom tvs",
    "nom du tvs",
    "territoire",
    "libelle zone",
    "nom zone",
    "quartier",
)
NAME_COLUMNS = ("commune", "nom commune", "nom de la commune", "libelle commune", "libgeo", "nom")
HEADER_SEARCH_ROWS = 20
CODE_PATTERN = re.compile(r"^(\d[\dAB]\d{3})(\d{4})?$")


class AnnexError(Exception):
    """The file cannot be read as an annex at all (French message for the user)."""


@dataclass(frozen=True)
class AnnexLine:
    line: int
    code: str  # as written, cleaned (5-character commune code or 9-character IRIS code)
    categorie: str
    zone: str
    nom: str


def _header_key(value) -> str:
    return normalize_name(str(value or "").replace("_", " "))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def clean_code(value: str) -> str:
    """ "1001" (an Excel number) → "01001"; "75056 " → "75056"; IRIS codes likewise."""
    code = value.strip().upper().replace(" ", "")
    if code.isdigit() and len(code) in (4, 8):
        code = "0" + code
    return code


def _find_columns(row) -> dict | None:
    keys = [_header_key(v) for v in row]

    def first(names, contains=()):
        for i, key in enumerate(keys):
            if key in names:
                return i
        for i, key in enumerate(keys):
            if any(word in key.split() for word in contains) and "code" not in key.split():
                return i
        return None

    code = first(CODE_COLUMNS)
    if code is None:
        return None
    return {
        "code": code,
        "categorie": first(CATEGORY_COLUMNS, contains=("zonage", "categorie", "classement")),
        "zone": first(ZONE_COLUMNS),
        "nom": first(NAME_COLUMNS),
    }


def _decode(content: bytes) -> str:
    """UTF-8, else Windows-1252 (Excel's "CSV" on Windows); anything else is refused.

    Decoding with replacement characters would store garbled category labels.
    """
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise AnnexError(
            f"Ligne {line} : encodage non reconnu ; enregistrez le fichier en « CSV UTF-8 »."
        ) from exc


def _csv_rows(content: bytes):
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise AnnexError(f"Ligne {reader.line_num} : CSV mal formé ({exc}).") from exc


def _xlsx_rows(content: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise AnnexError("Le fichier n'est pas un classeur Excel (.xlsx) lisible.") from exc
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in row]
    finally:
        workbook.close()


def _get(values, index) -> str:
    return values[index] if index is not None and index < len(values) else ""


def read_annex(content: bytes, filename: str, default_categorie: str = "") -> list[AnnexLine]:
    """The territory lines of the annex, in file order. Raises AnnexError (file-level)."""
    if not content.strip():
        raise AnnexError("Le fichier est vide.")
    if len(content) > settings.IMPORT_MAX_FILE_SIZE:
        raise AnnexError(
            f"Fichier trop volumineux ({len(content) // 1024} Ko) : la limite est de "
            f"{settings.IMPORT_MAX_FILE_SIZE // 1024} Ko."
        )
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK"
    rows = _xlsx_rows(content) if is_xlsx else _csv_rows(content)
    columns, lines = None, []
    for number, row in rows:
        if columns is None:
            if number > HEADER_SEARCH_ROWS:
                break
            columns = _find_columns(row)
            if columns is not None and columns["categorie"] is None and not default_categorie:
                raise AnnexError(
                    f"Ligne {number} : colonne de catégorie introuvable (par exemple « zonage », "
                    "« catégorie », « classement ») ; ou indiquez une catégorie par défaut."
                )
            continue
        values = [_cell(v) for v in row]
        if not any(values):
            continue

        lines.append(
            AnnexLine(
                line=number,
                code=clean_code(_get(values, columns["code"])),
                categorie=_get(values, columns["categorie"]) or default_categorie,
                zone=_get(values, columns["zone"]),
                nom=_get(values, columns["nom"]),
            )
        )
    if columns is None:
        raise AnnexError(
            "En-tête introuvable : il faut une colonne de code (par exemple « code INSEE », "
            "« code commune », « CODGEO » ou « code IRIS ») dans les "
            f"{HEADER_SEARCH_ROWS} premières lignes."
        )
    if not lines:
        raise AnnexError("Le fichier ne contient aucune ligne de données après l'en-tête.")
    return lines


def split_code(code: str) -> tuple[str, str] | None:
    """(commune code, IRIS code or "") of a territory code, None when malformed."""
    match = CODE_PATTERN.match(code)
    if not match:
        return None
    return match.group(1), code if match.group(2) else ""
