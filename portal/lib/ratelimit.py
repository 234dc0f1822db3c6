"""Counters of requests per key in a window, in Django's cache (shared in production).

`allow(...)` admits a request only if each of its counters is under its limit, then counts
it on all of them (a refused request is not counted, so a wait is never made longer). Keys
are HMACs of what they count (an e-mail address, a client address): the cache holds no
address in clear, and a key cannot be read back into one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    scope: str  # "aides-courriel:adresse"…
    value: str  # what is counted: normalised by the caller
    limit: int  # requests per window
    window: int  # seconds

    @property
    def key(self) -> str:
        digest = hmac.new(
            settings.SECRET_KEY.encode(), f"{self.scope}\0{self.value}".encode(), hashlib.sha256
        ).hexdigest()
        return f"ratelimit:{self.scope}:{digest}"


def allow(*limits: Limit) -> bool:
    """True, and counted on every limit, if no limit is reached; False (not counted) else."""
    counts = cache.get_many([limit.key for limit in limits])
    if any(counts.get(limit.key, 0) >= limit.limit for limit in limits):
        return False
    for limit in limits:
        if not cache.add(limit.key, 1, timeout=limit.window):
            try:
                cache.incr(limit.key)
            except ValueError:  # expired between add and incr
                cache.add(limit.key, 1, timeout=limit.window)
    return True
