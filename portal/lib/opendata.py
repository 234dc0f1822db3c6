"""What every open-data answer shares: the licence, French 400s for downloads, Last-Modified.

`last_modified` reads the public data version row: its model is named by the setting
`PORTAL_DATA_VERSION_MODEL` ("app_label.Model", like AUTH_USER_MODEL) so that this toolkit
imports no app.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db.models import Max, Subquery
from django.http import HttpResponse
from django.utils.http import http_date

LICENCE = {
    "nom": "Licence Ouverte / Open Licence version 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


def data_version_model():
    """The model of the one-row public data version (settings.PORTAL_DATA_VERSION_MODEL)."""
    return apps.get_model(settings.PORTAL_DATA_VERSION_MODEL)


def text_bad_request(messages) -> HttpResponse:
    """400 for a download link with bad parameters: a French message, as plain text."""
    text = "Paramètres invalides :\n" + "\n".join(f"- {m}" for m in messages) + "\n"
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def last_modified(*querysets):
    """Last change to the public data, never earlier than a previous answer (1 query).

    The data version (portal.lib.dataversion) moves forward on every change, deletions
    included; the newest `modifie_le` of the querysets (all rows: unpublishing is a change
    too) covers writes made without signals.
    """
    newest = {
        f"q{i}": Subquery(queryset.order_by("-modifie_le").values("modifie_le")[:1])
        for i, queryset in enumerate(querysets)
    }
    versions = data_version_model().objects.filter(pk=1)
    row = versions.annotate(**newest).values("modifie_le", *newest).first()
    if row is None:  # no version row (a flushed test database): the rows alone
        row = {key: queryset.aggregate(maj=Max("modifie_le"))["maj"] for key, queryset in
               zip(newest, querysets, strict=True)}  # fmt: skip
    dates = [value for value in row.values() if value is not None]
    return max(dates) if dates else None


def http_last_modified(value) -> str | None:
    return http_date(value.timestamp()) if value else None
