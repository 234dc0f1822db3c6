"""Which changes move the version of the public data (portal.lib.dataversion) forward.

Every save, deletion and many-to-many change of the published models (structures,
professionals, aids and what they hold; territories: communes, contours, zonings, their
categories and zones, QPV) bumps it in the same transaction, so a rolled-back import leaves
it alone. Bulk writers (territoires importers, structures.derivation) bump themselves.
Open-data downloads and the API answer `Last-Modified` from it (portal.lib.opendata.
last_modified): after a deletion a client's `If-Modified-Since` no longer matches.
Connected by PortalConfig.ready().
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.lib.dataversion import bump

PUBLIC_APPS = {"structures", "aides", "territoires"}
# Agents' profiles and link checks (aides/tasks.py); the alerts people subscribe to (personal
# data, never on a public page: a subscription or a digest sent must not recompute them all).
NOT_PUBLIC = {"ProfilAgent", "LienVerifie", "Alerte"}


def _is_public(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in PUBLIC_APPS:
        return False
    # simple-history's copies change with their model: one bump is enough.
    return sender.__name__ not in NOT_PUBLIC and not sender.__name__.startswith("Historical")


def _on_change(sender, **kwargs):
    if kwargs.get("raw"):
        return  # loaddata
    if _is_public(sender):
        bump()


def _on_m2m(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and _is_public(sender):
        bump()


def connect() -> None:
    post_save.connect(_on_change, dispatch_uid="portal.dataversion.save")
    post_delete.connect(_on_change, dispatch_uid="portal.dataversion.delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="portal.dataversion.m2m")
