"""Admin login throttling on django-axes, with its counters in the database.

Two limits, each for AXES_COOLOFF_TIME (15 minutes) after the failure that reached it:
AXES_FAILURE_LIMIT (5) failures for an account from an address lock that account from that
address, LOGIN_FAILURE_LIMIT_PER_ADDRESS (20) failures from an address (any accounts) lock
that address. Attempts refused during a lock are not counted, so a lock never grows longer.

Axes counts a failure after the password was checked, so parallel attempts all read the
count before any of them writes it. This handler reserves instead: before the password is
checked, it locks the address row then the account row (SELECT … FOR UPDATE, always in that
order), refuses if a limit is reached, else counts the attempt and commits. A successful
login gives its reservation back. Both rows are axes AccessAttempt rows (visible in the
admin, cleared by `manage.py axes_reset`); the address row has an empty username.

The username is normalised once (NFKC then casefold) for counting and checking alike, so
`ｖｉｃｔｉｍｅ` and `Victime` count for `victime`. The client address is REMOTE_ADDR,
unless the peer is one of TRUSTED_PROXIES: then X-Forwarded-For is read from the right,
skipping trusted proxies, up to the first address no trusted proxy vouches for.
"""

import math
import threading
import unicodedata

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db import connections, router, transaction
from django.shortcuts import render
from django.utils import timezone

from portal.lib.clients import client_ip  # noqa: F401 (AXES_CLIENT_IP_CALLABLE)

# Account rows ignore the user agent (the client's word); the address row is told apart by it.
ACCOUNT_USER_AGENT = ""
ADDRESS_ROW = {"username": "", "user_agent": "(toutes les tentatives de l'adresse)"}
# SQLite ignores FOR UPDATE: one process serialises its own threads (SQLite is single-host).
_sqlite_lock = threading.Lock()


def normalize_username(request, credentials=None) -> str:
    """NFKC + casefold, the same spelling for counting and for checking."""
    if credentials:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "POST", {}).get("username")
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    return unicodedata.normalize("NFKC", text.casefold())[:150]


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' guard, except without a request (test client `login()`, shell): nothing to
    throttle there, and axes would raise instead of letting the next backend answer."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginThrottleHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        return not self._reserve(request, credentials)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is None:
            return
        if not hasattr(request, "portal_login_allowed"):
            self._reserve(request, credentials)  # a failure that did not go through the guard
        if request.portal_login_allowed is False:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
        self._remove_expired()

    def user_logged_in(self, sender, request, user, **kwargs):
        """Gives the reservation back: the account is cleared, the address row loses one."""
        if request is None or not getattr(request, "portal_login_allowed", False):
            return
        username, ip = request.portal_login_key
        with self._serialised(), transaction.atomic(using=self._db()):
            address_row = self._row(ip, request.axes_attempt_time, **ADDRESS_ROW)
            address_row.failures_since_start = max(0, address_row.failures_since_start - 1)
            address_row.save(update_fields=["failures_since_start"])
            AccessAttempt.objects.filter(
                username=username, ip_address=ip, user_agent=ACCOUNT_USER_AGENT
            ).delete()

    def user_logged_out(self, sender, request, user, **kwargs):
        return None  # no access log is kept (AXES_DISABLE_ACCESS_LOG)

    # --- internals ---

    @staticmethod
    def _db() -> str:
        return router.db_for_write(AccessAttempt)

    def _serialised(self):
        if connections[self._db()].vendor == "sqlite":
            return _sqlite_lock
        return _NoLock()

    def _reserve(self, request, credentials) -> bool:
        """Counts this attempt unless a limit is reached; once per request."""
        if hasattr(request, "portal_login_allowed"):
            return request.portal_login_allowed
        username = get_client_username(request, credentials)
        ip = request.axes_ip_address
        now = timezone.now()
        cooloff = get_cool_off(request)
        limits = [settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS, settings.AXES_FAILURE_LIMIT]
        with self._serialised(), transaction.atomic(using=self._db()):
            rows = [
                self._row(ip, now, **ADDRESS_ROW),  # always first: one lock order, no deadlock
                self._row(ip, now, username=username, user_agent=ACCOUNT_USER_AGENT),
            ]
            for row in rows:
                if row.attempt_time <= now - cooloff:
                    row.failures_since_start = 0  # an old window: start again
            reached = [
                row
                for row, limit in zip(rows, limits, strict=True)
                if row.failures_since_start >= limit
            ]
            if reached:
                until = max(row.attempt_time for row in reached) + cooloff
                request.portal_retry_after = max(1, math.ceil((until - now).total_seconds()))
                request.portal_lock_scope = "adresse" if rows[0] in reached else "compte"
                request.portal_login_allowed = False
                return False
            for row in rows:
                row.failures_since_start += 1
                row.attempt_time = now
                row.path_info = request.axes_path_info
                row.save(update_fields=["failures_since_start", "attempt_time", "path_info"])
        request.portal_login_allowed = True
        request.portal_login_key = (username, ip)
        return True

    @staticmethod
    def _row(ip, now, **key) -> AccessAttempt:
        row, _ = AccessAttempt.objects.select_for_update().get_or_create(
            ip_address=ip,
            **key,
            defaults={
                "failures_since_start": 0,
                "get_data": "",
                "post_data": "",
                "http_accept": "",
                "path_info": "",
            },
        )
        return row

    def _remove_expired(self) -> None:
        """Old rows go; rows another attempt holds are skipped (never waited for)."""
        threshold = timezone.now() - 2 * get_cool_off(None)
        with self._serialised(), transaction.atomic(using=self._db()):
            stale = list(
                AccessAttempt.objects.select_for_update(skip_locked=True)
                .filter(attempt_time__lt=threshold)
                .values_list("pk", flat=True)[:500]
            )
            if stale:
                AccessAttempt.objects.filter(pk__in=stale).delete()


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def lockout_response(request, original_response=None, credentials=None):
    """The French 429 page (DSFR), with the seconds left before the lock ends."""
    cooloff = int(get_cool_off(request).total_seconds())
    response = render(
        request,
        "portal/trop_de_tentatives.html",
        {
            "title": "Trop de tentatives de connexion",
            "minutes": cooloff // 60,
            "par_adresse": getattr(request, "portal_lock_scope", "compte") == "adresse",
        },
        status=429,
    )
    response["Retry-After"] = str(getattr(request, "portal_retry_after", cooloff))
    return response
