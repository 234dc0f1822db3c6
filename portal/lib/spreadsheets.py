"""Files safe to open in a spreadsheet: CSV downloads and the back-office exports.

A cell starting with = + - @ (or a tab / carriage return) is run as a formula by Excel and
LibreOffice ("CSV injection"): such text cells get a leading apostrophe. Numbers are left as
they are, so negative amounts stay numbers.

    return csv_response("structures.csv", ["nom", "commune"], ((s.nom, s.commune.nom) for s in qs))
"""

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import tablib
from django.http import HttpResponse
from import_export.formats.base_formats import CSV, XLSX

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float | Decimal:
    """A value ready for a CSV cell: None → "", formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def write_rows(stream, header: Iterable, rows: Iterable[Iterable], delimiter: str = ",") -> None:
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


def csv_response(
    filename: str, header: Iterable, rows: Iterable[Iterable], delimiter: str = ","
) -> HttpResponse:
    """A UTF-8 CSV download (with BOM, so that Excel reads accents) of header + rows."""
    buffer = io.StringIO()
    write_rows(buffer, header, rows, delimiter=delimiter)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    safe_name = "".join(c for c in filename if c.isalnum() or c in "._-") or "export.csv"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response


# django-import-export formats of the back-office exports (structures, professionals): every
# cell goes through `safe_cell`; django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT
# only strips a leading "=". CSV exports start with a UTF-8 BOM, like `csv_response`.
class _FormulaSafe:
    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(title=dataset.title)
        if dataset.headers:
            safe.headers = [safe_cell(header) for header in dataset.headers]
        for row in dataset:
            safe.append([safe_cell(cell) for cell in row])
        return super().export_data(safe, **kwargs)


class FormulaSafeCSV(_FormulaSafe, CSV):
    """UTF-8 with a BOM and a declared charset: Excel otherwise reads the accents as cp1252."""

    CONTENT_TYPE = "text/csv; charset=utf-8"

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, **kwargs)


class FormulaSafeXLSX(_FormulaSafe, XLSX):
    pass
