"""portal.lib.numbers: one French number format, on Django's number_format."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from portal.lib.numbers import euros, french_number


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((1704316,), "1\u202f704\u202f316"),
        ((Decimal("44404000.00"),), "44\u202f404\u202f000"),
        ((3.114, 2), "3,11"),
        ((2.999, 2), "3,00"),  # rounded, where number_format alone truncates to "2,99"
        ((61.9, 1), "61,9"),
        ((0.0, 1), "0,0"),
        ((1234.5, 1), "1\u202f234,5"),
    ],
)
def test_french_number(args, expected):
    assert french_number(*args) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.5, "0,5"), (3.1, "3,1"), (3.0, "3"), (1704316.0, "1\u202f704\u202f316")],
)
def test_trailing_zeros_can_be_dropped(value, expected):
    assert french_number(value, 2, trim=True) == expected


def test_euros():
    assert euros(10000) == "10\u202f000\u00a0€"
    assert euros(None) == ""


def test_the_template_filter_groups_with_narrow_no_break_spaces():
    template = Template("{% load portal_public %}{{ a|nombre }}|{{ b|nombre }}|{{ c|nombre }}")
    text = template.render(Context({"a": 44404000, "b": Decimal("1.94"), "c": "2024"}))
    assert text == "44\u202f404\u202f000|1,94|2024"


def test_templates_group_thousands_like_the_helper():
    """`intcomma` in the pages (populations, bilan) uses the same narrow no-break space."""
    html = Template("{% load humanize %}{{ value|intcomma }}").render(Context({"value": 1704316}))
    assert html == french_number(1704316) == "1\u202f704\u202f316"
