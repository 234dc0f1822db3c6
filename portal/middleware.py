"""The portal's own request guards and the headers Django and django-csp leave out.

Order in settings.MIDDLEWARE: the size guard first of these (a body is refused before anything
could read it), the NUL guard after django-csp (its French 400 page carries the policy).
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from portal.lib.responses import bad_request

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# Files meant for other sites' pages (the embedded finder's script, aides/integrer): a
# same-origin CORP would stop a partner's page from loading them.
CROSS_ORIGIN_STATIC = ("aides/integrer/partenaire.",)
NUL_MESSAGE = "Requête invalide : l'adresse contient un caractère nul."


def max_request_bytes() -> int:
    """The largest request body accepted: an import file plus room for the multipart envelope.

    The reverse proxy's limit (client_max_body_size in deploy/nginx/portail.conf) is the same.
    """
    return settings.IMPORT_MAX_FILE_SIZE + 1024 * 1024


class RequestSizeLimitMiddleware:
    """413 before Django reads a body larger than any import we accept (IMPORT_MAX_FILE_SIZE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = max_request_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(
                "Longueur de requête invalide.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        if length > limit:
            megabytes = settings.IMPORT_MAX_FILE_SIZE // (1024 * 1024)
            return HttpResponse(
                f"Fichier trop volumineux : la limite est de {megabytes} Mo.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class NulByteMiddleware:
    """400 for a NUL in the path or the query: PostgreSQL refuses NUL in text, so a `%00` that
    reached a query was a 500 (15 public URLs); no valid public address contains one. The
    back-office handles NUL in its own filters and autocomplete (tests/structures), and
    keeps answering them as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/admin/") or ("\x00" not in path and not _query_has_nul(request)):
            return self.get_response(request)
        if path.startswith("/api/"):
            return bad_request([NUL_MESSAGE])  # the API's own 400, one kind of error
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


class SecurityHeadersMiddleware:
    """Permissions-Policy and Cross-Origin-Resource-Policy, which Django 5.2 does not send
    (its SecurityMiddleware sends HSTS, Referrer-Policy and X-Content-Type-Options)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", _resource_policy(request))
        return response


def _resource_policy(request) -> str:
    path = request.path_info
    prefix = settings.STATIC_URL or "/static/"
    if path.startswith(prefix) and path[len(prefix) :].startswith(CROSS_ORIGIN_STATIC):
        return "cross-origin"
    return "same-origin"
