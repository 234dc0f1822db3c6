"""Security headers, the per-request CSP nonce and the request size limit (login throttling:
portal/login_throttle.py).

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
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

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
        refused = _body_too_large(request) or _nul_byte(request)
        if refused:
            return refused
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


NUL_MESSAGE = "Requête invalide : l'adresse contient un caractère nul."


def _nul_byte(request):
    """400 for a NUL in the path or the query: PostgreSQL refuses NUL in text, so a `%00` that
    reached a query was a 500 (15 public URLs); no valid public address contains one. The
    back-office handles NUL in its own filters and autocomplete (tests/structures), and
    keeps answering them as before."""
    if request.path_info.startswith("/admin/"):
        return None
    if "\x00" not in request.path_info and not _query_has_nul(request):
        return None
    if request.path_info.startswith("/api/"):
        # The API's own 400 shape (portal.api), so clients read one kind of error.
        erreur = "Paramètres invalides : corrigez-les ou retirez-les."
        return JsonResponse({"erreur": erreur, "details": [NUL_MESSAGE]}, status=400)
    return HttpResponse(
        render_to_string("400.html", {"message": NUL_MESSAGE}),
        status=400,
        content_type="text/html; charset=utf-8",
    )


def _query_has_nul(request) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


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
