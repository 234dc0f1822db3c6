"""Public page cache and conditional GET (ETag, 304) for every public answer.

`PageCacheMiddleware` keeps the answers anonymous visitors get (pages, API, downloads) in
Django's default cache, keyed by the public data version (portal.lib.dataversion), today's
date (aids and zones in force change at midnight), the address (scheme, host, path, query
in a canonical order) and the request headers the answer varies on. A hit runs no view and
no query (none beyond `current()`, none once its token is cached).

Only what is the same for every anonymous visitor is stored: GET answers with status 200,
no cookie set, no `Vary: Cookie`, no `Cache-Control: private|no-store|no-cache`, to a
request without session or messages cookie, outside the admin and static files. The
timeout (PORTAL_PAGE_CACHE_SECONDS) only bounds memory: a change moves the version and so
the key.

The CSP nonce is per response: where the nonce was in the content is stored, and each hit
writes its own request's nonce there; django-csp (outer middleware) puts that nonce in the
header. Outer middleware (security headers, CSP, the 503 and NUL/size guards) run on hits
too; inner ones (session, CSRF, authentication…) do not.

Conditional GET: every public 200 answer (hit or not, anonymous or not) gets a strong ETag,
the data version plus a hash of the content without its nonce, and `If-None-Match` or
`If-Modified-Since` (against the view's Last-Modified) gives a 304 without body. HTML pages
get `Cache-Control: private, no-cache` unless the view said otherwise: browsers keep and
revalidate them, shared caches do not store them (they carry a nonce). A 304 carries no CSP
header: the browser keeps the policy stored with its copy, whose nonce its scripts use.
"""

from __future__ import annotations

import hashlib
import itertools
import zlib

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import cc_delim_re, get_conditional_response, patch_cache_control
from django.utils.http import parse_http_date_safe

from portal.lib.dataversion import current

KEY_PREFIX = "portal:page:"
# Cookies that make an answer personal: the session (agents) and flash messages.
PRIVATE_COOKIES = ("messages",)
REFUSED_CACHE_CONTROL = {"private", "no-store", "no-cache"}
# Set per response by outer middleware or the server, or recomputed on a hit.
UNSTORED_HEADERS = {
    "set-cookie",
    "date",
    "content-length",
    "content-security-policy",
    "content-security-policy-report-only",
}
# A view's own CSP changes (django-csp decorators) travel with its stored answer.
CSP_ATTRIBUTES = tuple(
    f"_csp_{kind}{suffix}"
    for kind in ("exempt", "config", "update", "replace")
    for suffix in ("", "_ro")
)


class PageCacheMiddleware:
    """Place after the guards and django-csp's middleware, before the session's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_public(request):
            return self.get_response(request)
        nonce = str(getattr(request, "csp_nonce", "") or "")
        storable = is_anonymous(request) and settings.PORTAL_PAGE_CACHE_SECONDS > 0
        try:
            version = current()
        except DatabaseError:  # the view answers (portal.health's 503 when it is down)
            return self.get_response(request)
        if storable:
            base_key = _base_key(request, version)
            entry = cache.get(base_key)
            if entry is not None and "vary" in entry:  # the answer varies on request headers
                entry = cache.get(_vary_key(base_key, request, entry["vary"]))
            if entry is not None:
                return _conditional(request, _rebuild(entry, nonce))
        response = self.get_response(request)
        if response.status_code == 304:
            _keep_browser_policy(response)
            return response
        if response.status_code != 200 or response.streaming:
            return response
        template, offsets = _without_nonce(response.content, nonce)
        if "ETag" not in response and not _cache_control(response) & {"no-store"}:
            response["ETag"] = _etag(version, template)
        store = storable and request.method == "GET" and _is_storable(response)
        _patch_html_cache_control(response)  # after the check: the view's own words count
        if store:
            _store(request, base_key, response, template, offsets)
        return _conditional(request, response)


# Never through the cache: the admin, static files, and the health probe (it must answer
# without the database, and reports on the database when asked).
EXEMPT_PREFIXES = ("/admin/", "/sante")


def _is_public(request) -> bool:
    path = request.path_info
    return request.method in ("GET", "HEAD") and not path.startswith(
        (*EXEMPT_PREFIXES, settings.STATIC_URL)
    )


def is_anonymous(request) -> bool:
    """No session nor flash messages: the visitor gets what every visitor gets."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and not any(
        name in cookies for name in PRIVATE_COOKIES
    )


def _cache_control(response) -> set[str]:
    return {
        part.split("=", 1)[0].strip().lower()
        for part in cc_delim_re.split(response.get("Cache-Control", ""))
        if part.strip()
    }


def _vary(response) -> list[str]:
    return sorted(
        {name.strip().lower() for name in cc_delim_re.split(response.get("Vary", "")) if name}
    )


def _is_storable(response) -> bool:
    return (
        not response.cookies
        and not {"cookie", "*"} & set(_vary(response))
        and not _cache_control(response) & REFUSED_CACHE_CONTROL
    )


def _base_key(request, version: str) -> str:
    # Values keep their order within a parameter (a view may read a list in order).
    query = sorted(request.GET.lists())
    address = (request.scheme, request.get_host(), request.path, query)
    raw = repr((version, timezone.localdate().isoformat(), address))
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _vary_key(base_key: str, request, names: list[str]) -> str:
    values = []
    for name in names:
        if name == "accept-language":  # the language Django chose, not the browser's list
            values.append(translation.get_language_from_request(request))
        else:
            values.append(request.META.get("HTTP_" + name.upper().replace("-", "_"), ""))
    return base_key + ":" + hashlib.sha256(repr(values).encode()).hexdigest()


def _without_nonce(content: bytes, nonce: str) -> tuple[bytes, list[int]]:
    """The content without its nonce, and where each occurrence was in that content."""
    if not nonce or nonce.encode() not in content:
        return content, []
    parts = content.split(nonce.encode())
    offsets, position = [], 0
    for part in parts[:-1]:
        position += len(part)
        offsets.append(position)
    return b"".join(parts), offsets


def _with_nonce(template: bytes, offsets: list[int], nonce: str) -> bytes:
    if not offsets:
        return template
    bounds = [0, *offsets, len(template)]
    return nonce.encode().join(template[a:b] for a, b in itertools.pairwise(bounds))


def _etag(version: str, template: bytes) -> str:
    return f'"{version}-{hashlib.sha256(template).hexdigest()[:32]}"'


def _patch_html_cache_control(response) -> None:
    if "Cache-Control" not in response and response.get("Content-Type", "").startswith("text/html"):
        patch_cache_control(response, private=True, no_cache=True)


def _store(request, base_key, response, template: bytes, offsets: list[int]) -> None:
    body = zlib.compress(template, 1)  # a third of level 6's time, 15 % bigger
    if len(body) > settings.PORTAL_PAGE_CACHE_MAX_BYTES:
        return
    entry = {
        "status": response.status_code,
        "headers": [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in UNSTORED_HEADERS
        ],
        "body": body,
        "offsets": offsets,
        "csp": {
            name: getattr(response, name) for name in CSP_ATTRIBUTES if hasattr(response, name)
        },
    }
    timeout = settings.PORTAL_PAGE_CACHE_SECONDS
    names = _vary(response)
    if names:  # one round trip for both
        cache.set_many(
            {base_key: {"vary": names}, _vary_key(base_key, request, names): entry}, timeout
        )
    else:
        cache.set(base_key, entry, timeout)


def _rebuild(entry: dict, nonce: str) -> HttpResponse:
    content = _with_nonce(zlib.decompress(entry["body"]), entry["offsets"], nonce)
    response = HttpResponse(content, status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response["Content-Length"] = str(len(content))
    for name, value in entry["csp"].items():
        setattr(response, name, value)
    return response


def _conditional(request, response):
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    answer = get_conditional_response(
        request, etag=response.get("ETag"), last_modified=last_modified, response=response
    )
    if answer.status_code == 304:
        _keep_browser_policy(answer)
    return answer


def _keep_browser_policy(response) -> None:
    """No CSP header on a 304: browsers merge its headers into their stored copy, and a new
    nonce there would block the scripts of the copy they show."""
    response._csp_exempt = True
    response._csp_exempt_ro = True
