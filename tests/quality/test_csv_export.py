"""portal.lib.spreadsheets: exports that a spreadsheet opens without running anything."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest

from portal.lib.spreadsheets import csv_response, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x";"clic")', '\'=HYPERLINK("http://x";"clic")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Maison de santé", "Maison de santé"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-1500, -1500),
        (Decimal("-2.5"), Decimal("-2.5")),
        (True, "oui"),
        (date(2026, 1, 1), "2026-01-01"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def read_back(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_response_neutralises_formulas_in_header_and_rows():
    response = csv_response(
        "structures.csv",
        ["nom", "=commune"],
        [("=cmd|' /C calc'!A0", "Saint-Denis"), ("MSP du Centre", -12)],
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="structures.csv"'
    assert read_back(response) == [
        ["nom", "'=commune"],
        ["'=cmd|' /C calc'!A0", "Saint-Denis"],
        ["MSP du Centre", "-12"],
    ]


def test_csv_response_filename_cannot_inject_headers():
    response = csv_response('bilan"\r\nSet-Cookie: a=b.csv', ["a"], [])
    assert response["Content-Disposition"] == 'attachment; filename="bilanSet-Cookieab.csv"'


HOSTILE_NAME = '=HYPERLINK("http://exemple.invalid";"clic")'
HOSTILE_AID = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMULA_START = tuple("=+-@\t\r")


def is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return False
    return True


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


@pytest.mark.django_db
def test_every_public_csv_export_neutralises_formulas(client, pages):
    """Hostile names typed by an agent reach the open-data and statistics CSV files
    neutralised, whatever the export."""
    from aides.models import Aide
    from structures.models import Structure

    structure = Structure.objects.published().first()
    Structure.objects.filter(pk=structure.pk).update(nom=HOSTILE_NAME)
    aide = Aide.objects.published().first()
    Aide.objects.filter(pk=aide.pk).update(nom=HOSTILE_AID, resume="+33 1 23 45 67 89")

    exports, offenders, seen = [], [], set()
    for page in pages.values():
        response = client.get(page.url or page.fuzz_url)
        if not response.get("Content-Type", "").startswith("text/csv"):
            continue
        exported = cells(response.content.decode("utf-8"))
        exports.append(page.url)
        offenders += [
            f"{page.url}: {cell!r}"
            for cell in exported
            if cell.startswith(FORMULA_START) and not is_number(cell)
        ]
        seen |= {name for name in (HOSTILE_NAME, HOSTILE_AID) if any(name in c for c in exported)}
    assert len(exports) >= 3, exports
    assert offenders == []
    assert seen == {HOSTILE_NAME, HOSTILE_AID}, "les valeurs hostiles ne sont dans aucun export"


@pytest.mark.django_db
def test_the_agents_spreadsheet_export_neutralises_formulas(admin_client, demo_data):
    """The back-office export (django-import-export) is opened in Excel by other agents."""
    from django.urls import reverse

    from structures.models import Structure
    from tests.quality.test_hostile_uploads import FormReader

    Structure.objects.filter(pk=Structure.objects.first().pk).update(nom=HOSTILE_NAME)
    Structure.objects.filter(pk=Structure.objects.last().pk).update(nom=HOSTILE_AID)
    url = reverse("admin:structures_structure_export")
    reader = FormReader()
    reader.feed(admin_client.get(url).content.decode())
    form = next(f for f in reader.forms if "format" in f)
    csv_format = re.search(
        r'<option value="(\d+)"[^>]*>csv<', admin_client.get(url).content.decode()
    ).group(1)
    response = admin_client.post(url, {**form, "format": csv_format})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    exported = cells(response.content.decode("utf-8"))
    assert any(HOSTILE_NAME.lstrip("=") in c for c in exported)
    offenders = [c for c in exported if c.startswith(FORMULA_START) and not is_number(c)]
    assert offenders == []
