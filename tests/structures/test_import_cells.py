"""Cells typed by hand in spreadsheets are read as an agent means them, or refused in French."""

import datetime as dt
from decimal import Decimal

import pytest

from aides.choices import TypeStructure
from structures.import_widgets import ChoiceWidget, CommuneWidget, DateWidget, parse_decimal
from structures.resources import format_presences, parse_presences


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("12 500,50 €", "12500.50"), ("1.234,5", "1234.5"), ("1,234.5", "1234.5"),
     (45000, "45000"), (48.85, "48.85"), ("", None), (None, None)],
)  # fmt: skip
def test_amounts_in_french_or_english_notation(cell, expected):
    assert parse_decimal(cell) == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize("cell", ["douze", "NaN", "inf", "1,2,3x", True])
def test_non_numbers_are_refused(cell):
    with pytest.raises(ValueError, match="n'est pas un nombre"):
        parse_decimal(cell)


def test_dates_in_usual_formats_and_impossible_dates():
    widget = DateWidget()
    assert widget.clean("23/02/2018") == dt.date(2018, 2, 23)
    assert widget.clean("2018-02-23") == dt.date(2018, 2, 23)
    assert widget.clean(dt.datetime(2018, 2, 23, 0, 0)) == dt.date(2018, 2, 23)
    with pytest.raises(ValueError, match="JJ/MM/AAAA"):
        widget.clean("30/02/2018")


def test_kinds_by_code_or_label_whatever_the_accents():
    widget = ChoiceWidget(TypeStructure)
    assert widget.clean("MAISON DE SANTE PLURIPROFESSIONNELLE") == "msp"
    assert widget.clean("centre-sante") == "centre-sante"
    with pytest.raises(ValueError, match="Valeurs possibles"):
        widget.clean("clinique")


@pytest.mark.django_db
def test_insee_codes_that_lost_their_leading_zero():
    widget = CommuneWidget()
    assert widget.clean(8105).code == "08105"  # Charleville-Mézières, read as a number
    assert widget.clean(93066.0).code == "93066"  # an XLSX number cell
    with pytest.raises(ValueError, match="inconnu"):
        widget.clean("00000")


def test_presences_round_trip():
    presences = parse_presences("Médecin généraliste : 3 ; infirmier: 2")
    assert presences == {"medecin-generaliste": 3, "infirmier": 2}
    assert parse_presences(format_presences(presences)) == presences
    with pytest.raises(ValueError, match="profession : nombre"):
        parse_presences("trois médecins")
