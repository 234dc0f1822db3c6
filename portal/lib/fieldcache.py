"""Rendered form fields kept per process, for the public search forms.

A DSFR field group costs about half a millisecond of templates, and a search form's fields
mostly come back with the same values page after page (the profession, the stage, the sort):
the finder spent more time drawing its own form than judging the aids. The HTML of a bound
field is a function of its form class, its value, its errors and its choices; choices read
from the database (the financers) follow the data version, which is in the key.

Only for forms whose fields do not depend on the request beyond their data: a form that
changes a field's label, choices or attributes per user must not use it.
"""

from __future__ import annotations

from django.forms import BoundField, CheckboxInput
from django.utils.safestring import SafeString

MAX_ENTRIES = 512
_rendered: dict[tuple, SafeString] = {}


def field_group(bound_field: BoundField, version: str) -> SafeString:
    """`bound_field.as_field_group()`, rendered once per value, errors and data version.

    Only the values that come back: empty, a choice, a box. A typed text (a commune, a date)
    is drawn each time, so that what people type does not fill every process's memory."""
    value = bound_field.value()
    field = bound_field.field
    if value not in (None, "", []) and not (
        hasattr(field, "choices") or isinstance(field.widget, CheckboxInput)
    ):
        return bound_field.as_field_group()
    form = bound_field.form
    key = (
        # django-filter builds its form class per filterset: its name and its base name it.
        *(f"{cls.__module__}.{cls.__qualname__}" for cls in type(form).__mro__[:2]),
        form.prefix,
        form.auto_id,
        bound_field.name,
        form.is_bound,
        repr(value),
        tuple(bound_field.errors),
        version,
    )
    html = _rendered.get(key)
    if html is None:
        html = bound_field.as_field_group()
        if len(_rendered) >= MAX_ENTRIES:
            _rendered.clear()
        _rendered[key] = html
    return html


def forget() -> None:
    _rendered.clear()
