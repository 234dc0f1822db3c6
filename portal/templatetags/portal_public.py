"""Template filters of the public maps, bilan and open data."""

from decimal import Decimal

from django import template

from portal.lib.numbers import french_number

register = template.Library()


@register.filter
def nombre(value):
    """Numbers with French grouping ("44 404 000", "1,94"); text (years, labels) unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return french_number(value, 0 if value == int(value) else 2)
