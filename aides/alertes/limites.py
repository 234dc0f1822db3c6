"""Rate limits of the alert forms, per e-mail address and per client address.

Counters of portal.lib.ratelimit, in Django's default cache: shared by every app server in
production (a per-process cache would let each server count on its own). A window starts
with the first request and lasts ALERTES_LIMITE_FENETRE seconds.
"""

from django.conf import settings

from portal.lib.clients import client_ip
from portal.lib.ratelimit import Limit, allow


def _allow(kind: str, value: str, limit: int) -> bool:
    return allow(Limit(f"aides-alertes:{kind}", value, limit, settings.ALERTES_LIMITE_FENETRE))


def allow_client(request) -> bool:
    return _allow("ip", client_ip(request), settings.ALERTES_LIMITE_PAR_IP)


def allow_address(email: str) -> bool:
    return _allow("email", email, settings.ALERTES_LIMITE_PAR_ADRESSE)
