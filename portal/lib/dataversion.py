"""Move the public data version forward: a counter and a date that never go back.

The row's model is named by settings.PORTAL_DATA_VERSION_MODEL (portal.DataVersion); which
changes bump it is wired by the project (portal.dataversion). Writes that bypass signals
(`bulk_update`, `QuerySet.update`) call `bump()` themselves, in their transaction.
"""

from __future__ import annotations

from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from portal.lib.opendata import data_version_model


def bump() -> None:
    """Move the version forward (one UPDATE; the row is created if it is missing)."""
    model = data_version_model()
    now = timezone.now()
    updated = model.objects.filter(pk=1).update(
        version=F("version") + 1, modifie_le=Greatest(F("modifie_le"), Value(now))
    )
    if not updated:
        model.objects.get_or_create(pk=1, defaults={"version": 1, "modifie_le": now})
