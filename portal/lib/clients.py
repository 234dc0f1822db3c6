"""The client's address, as shared by every throttle (admin logins, alert requests).

REMOTE_ADDR, unless the peer is one of settings.TRUSTED_PROXIES: then X-Forwarded-For is
read from the right, skipping trusted proxies, up to the first address no trusted proxy
vouches for.
"""

import ipaddress

from django.conf import settings

UNKNOWN_ADDRESS = "0.0.0.0"


def _address(value: str | None):
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The client address: X-Forwarded-For only as far as trusted proxies vouch for it."""
    peer = _address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return UNKNOWN_ADDRESS
    networks = [
        ipaddress.ip_network(entry, strict=False)
        for entry in getattr(settings, "TRUSTED_PROXIES", ())
    ]
    address = peer
    if _trusted(peer, networks):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops):
            found = _address(hop)
            if found is None:  # malformed: keep the last address a trusted proxy gave
                break
            address = found
            if not _trusted(found, networks):
                break
    return str(address)
