"""Security headers, the per-request CSP nonce, request size limit and admin login throttling.

CSP: scripts run only from our own origin or with the nonce of the current request
(`request.csp_nonce`, used by `{% dsfr_js nonce=request.csp_nonce %}` and the folium maps).
Templates that cannot see the request (form widgets) use `{% load portal_security %}`
`{% csp_nonce %}`, which reads the same nonce from a context variable.

Styles keep 'unsafe-inline': Leaflet and folium write `style="…"` attributes into the HTML
they generate (markers, popups, legends) and the DSFR sets some too; style attributes cannot
carry a nonce, and a nonce in style-src would disable 'unsafe-inline' altogether. Styles cannot
run code, so the scripts policy is what protects against injection.
"""

import secrets
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import caches
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

_nonce: ContextVar[str] = ContextVar("csp_nonce", default="")

DEFAULT_IMG_HOSTS = ("https://data.geopf.fr", "https://tile.openstreetmap.org")
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


def current_nonce() -> str:
    """The CSP nonce of the request being served ('' outside a request)."""
    return _nonce.get()


def content_security_policy(nonce: str) -> str:
    img_hosts = getattr(settings, "CSP_IMG_HOSTS", DEFAULT_IMG_HOSTS)
    connect_hosts = getattr(settings, "CSP_CONNECT_HOSTS", ())
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *img_hosts],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *connect_hosts],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    """Adds the CSP (with a fresh nonce), Permissions-Policy, and refuses oversized bodies.

    Django's SecurityMiddleware already sends HSTS (production), Referrer-Policy and
    X-Content-Type-Options; this fills the gaps Django 5.2 leaves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        too_big = _body_too_large(request)
        if too_big:
            return too_big
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce
        token = _nonce.set(nonce)
        try:
            response = self.get_response(request)
        finally:
            _nonce.reset(token)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def _body_too_large(request):
    """413 before Django reads a body larger than any import we accept (IMPORT_MAX_FILE_SIZE)."""
    limit = settings.IMPORT_MAX_FILE_SIZE + 1024 * 1024  # room for the multipart envelope
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(
            "Longueur de requête invalide.", status=400, content_type="text/plain; charset=utf-8"
        )
    if length > limit:
        megabytes = settings.IMPORT_MAX_FILE_SIZE // (1024 * 1024)
        return HttpResponse(
            f"Fichier trop volumineux : la limite est de {megabytes} Mo.",
            status=413,
            content_type="text/plain; charset=utf-8",
        )
    return None


# --- Admin login throttling -------------------------------------------------------------
# Failures are counted in a cache per (client address, username) and per client address;
# past the limit, login POSTs get a 429 until the window expires. The cache alias is
# settings.LOGIN_THROTTLE["cache"]: a file cache in production so that every gunicorn
# worker of the host sees the same counters. The address is REMOTE_ADDR: X-Forwarded-For
# can be forged by the client, so a reverse proxy must pass the real address in REMOTE_ADDR.


def _throttle_settings() -> dict:
    defaults = {"cache": "default", "max_failures": 5, "max_failures_per_ip": 20, "window": 900}
    return {**defaults, **getattr(settings, "LOGIN_THROTTLE", {})}


def _keys(request, username: str) -> tuple[str, str]:
    ip = request.META.get("REMOTE_ADDR", "?")
    user = (username or "").strip().lower()[:150]
    return f"login-fail:{ip}:{user}", f"login-fail-ip:{ip}"


def login_blocked(request, username: str) -> bool:
    conf = _throttle_settings()
    cache = caches[conf["cache"]]
    user_key, ip_key = _keys(request, username)
    return (cache.get(user_key, 0) >= conf["max_failures"]) or (
        cache.get(ip_key, 0) >= conf["max_failures_per_ip"]
    )


def _increment(cache, key: str, window: int) -> None:
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window)


@receiver(user_login_failed, dispatch_uid="portal.security.login_failed")
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    conf = _throttle_settings()
    cache = caches[conf["cache"]]
    for key in _keys(request, credentials.get("username", "")):
        _increment(cache, key, conf["window"])


@receiver(user_logged_in, dispatch_uid="portal.security.logged_in")
def _reset_failures(sender, request, user, **kwargs):
    if request is None:
        return
    cache = caches[_throttle_settings()["cache"]]
    cache.delete(_keys(request, user.get_username())[0])


class LoginThrottleMiddleware:
    """Refuses admin login attempts (429, French page) after repeated failures."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and request.path == reverse("admin:login")
            and login_blocked(request, request.POST.get("username", ""))
        ):
            minutes = _throttle_settings()["window"] // 60
            response = render(
                request,
                "portal/trop_de_tentatives.html",
                {"title": "Trop de tentatives de connexion", "minutes": minutes},
                status=429,
            )
            response["Retry-After"] = str(_throttle_settings()["window"])
            return response
        return self.get_response(request)
