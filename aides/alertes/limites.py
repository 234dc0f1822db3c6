"""Rate limits of the alert forms, per e-mail address and per client address.

Counters live in Django's default cache: shared by every app server in production (a
per-process cache would let each server count on its own). A window starts with the first
request and lasts ALERTES_LIMITE_FENETRE seconds.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from portal.lib.clients import client_ip


def _allow(kind: str, value: str, limit: int) -> bool:
    window = settings.ALERTES_LIMITE_FENETRE
    digest = hashlib.sha256(value.encode()).hexdigest()  # no address in the cache keys
    key = f"aides:alertes:limite:{kind}:{digest}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit


def allow_client(request) -> bool:
    return _allow("ip", client_ip(request), settings.ALERTES_LIMITE_PAR_IP)


def allow_address(email: str) -> bool:
    return _allow("email", email, settings.ALERTES_LIMITE_PAR_ADRESSE)
