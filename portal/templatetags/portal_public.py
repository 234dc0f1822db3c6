"""Template filters and tags of the public pages: numbers, the breadcrumb, search fields."""

from decimal import Decimal

from django import template

from portal.lib import dataversion, fieldcache
from portal.lib.numbers import french_number

register = template.Library()


@register.filter
def nombre(value):
    """Numbers with French grouping ("44 404 000", "1,94"); text (years, labels) unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return french_number(value, 0 if value == int(value) else 2)


@register.inclusion_tag("dsfr/breadcrumb.html")
def fil_ariane(breadcrumb_data: dict) -> dict:
    """django-dsfr's breadcrumb with a fixed id instead of its random one: a page rendered
    twice is the same bytes (one ETag on every app server, cached or not)."""
    return {"self": {**breadcrumb_data, "id": "fil-ariane"}}


@register.simple_tag
def champ(bound_field):
    """A search form's field group, drawn once per value (portal.lib.fieldcache)."""
    return fieldcache.field_group(bound_field, dataversion.current())
