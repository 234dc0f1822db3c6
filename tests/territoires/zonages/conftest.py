"""Helpers of the zoning tests: annex files built in memory (acts: tests.factories.ActeFactory)."""

import io

import pytest
from django.conf import settings

from territoires.models import CategorieZone, Zonage, Zone, ZoneCommune
from territoires.zonages.importers.options import make_spec

QPV_FILE = settings.GEO_DATA_DIR / "qpv" / "qpv-2024-ile-de-france.geojson"
needs_qpv = pytest.mark.skipif(not QPV_FILE.is_file(), reason="QPV 2024 absents de GEO_DATA_DIR")
needs_contours = pytest.mark.skipif(
    not settings.GEO_DATA_DIR.is_dir(), reason="PORTAL_GEO_DATA_DIR absent (contours)"
)


def csv_annex(rows, header=("Code INSEE", "Commune", "Zonage"), sep=";", encoding="utf-8"):
    lines = [sep.join(header), *(sep.join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_annex(rows, header=("CODGEO", "LIBGEO", "Catégorie"), preamble=()):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for line in preamble:
        sheet.append(list(line))
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def spec(profession="medecin-generaliste", region="11", date="2022-03-31", **kwargs):
    result, errors = make_spec(
        kind=kwargs.pop("kind", "ars"),
        profession=profession,
        region_code=region,
        arrete_date=date,
        source_url=kwargs.pop("source_url", "https://example.test/arrete.pdf"),
        **kwargs,
    )
    assert errors == []
    return result


def counts():
    return (
        Zonage.objects.count(),
        CategorieZone.objects.count(),
        Zone.objects.count(),
        ZoneCommune.objects.count(),
        ZoneCommune.history.count(),
    )
