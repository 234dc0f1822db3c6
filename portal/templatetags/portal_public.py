"""Template filters of the public maps, bilan and open data."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def nombre(value):
    """Numbers with French grouping ("44 404 000", "1,94"); text (years, labels) unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    decimals = 0 if isinstance(value, int) or value == int(value) else 2
    return number_format(value, decimal_pos=decimals, force_grouping=True)
