"""django-import-export formats whose exports are safe to open in a spreadsheet.

The back-office exports (structures, professionals) go through these instead of CSV/XLSX:
every cell passes through `portal.csv.safe_cell`, so a name typed as `=HYPERLINK(…)` or
`@SUM(…)` is written as text, not run as a formula by the agent who opens the file.
(django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a leading
"=".)
CSV exports start with a UTF-8 BOM, like `portal.csv.csv_response`.
"""

import tablib
from import_export.formats.base_formats import CSV, XLSX

from portal.csv import safe_cell


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
