"""The links of the alert messages: the alert's random token, signed for one purpose each
(a confirmation link cannot unsubscribe, nor delete), made absolute with PORTAL_SITE_URL."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from aides.alertes.models import EXPIRATION, Alerte

CONFIRMER, DESABONNER, SUPPRIMER = "confirmer", "desabonner", "supprimer"
# A link to delete every alert of an address is valid this long after it was sent.
SUPPRESSION_VALIDITE = EXPIRATION


def _signer(purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"aides.alertes.{purpose}")


def absolute(path: str) -> str:
    return settings.PORTAL_SITE_URL.rstrip("/") + path


def url(alerte: Alerte, purpose: str) -> str:
    signed = _signer(purpose).sign(alerte.jeton)
    return absolute(reverse(f"alertes:{purpose}", args=[signed]))


def jeton(signed: str, purpose: str, max_age=None) -> str | None:
    """The token a link carries, or None (altered, of another purpose, too old)."""
    try:
        return _signer(purpose).unsign(signed, max_age=max_age)
    except signing.BadSignature:
        return None


def alerte(signed: str, purpose: str, max_age=None) -> Alerte | None:
    """The alert a link names, or None (not a valid link, or the alert is deleted)."""
    found = jeton(signed, purpose, max_age)
    return Alerte.objects.filter(jeton=found).first() if found is not None else None
