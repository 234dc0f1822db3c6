"""The finder's whole page rendered once for every commune of a signature.

The cards and the zones block are already kept per signature (`aides.listing`); what is left
of the page (base, form, pagination, links, counts) reads of the commune only its name and
code, and of the request only its query string and CSP nonce. For a search at a commune
asked by its INSEE code (`?commune=93066&…`, no point, no address, nothing ignored), the page
is rendered once with marks for these — a copy of the request whose query says `CODE`, the
commune named `COMMUNE` — and kept beside the answers (same data version, same signature,
same filters) for the query's other parameters. Each commune of the signature then fills in
its own name (escaped) and code, and each response its own nonce.

The code mark also ends up percent-encoded in links (`?commune=%00code%00`); an INSEE code
(digits and letters) reads the same escaped, percent-encoded or not. A frame where a mark
survives in another encoding (the name percent-encoded, a mark in JSON) is not kept: the
page is rendered for the commune instead.
"""

from __future__ import annotations

import copy
import hashlib
import zlib
from dataclasses import replace
from urllib.parse import quote

from django.core.cache import cache
from django.utils.html import escape

from aides.listing import CODE
from aides.raisons import COMMUNE
from portal.lib.pagecache import is_anonymous

NONCE = "\x00nonce\x00"
CODE_QUOTED = quote(CODE)
# What no kept frame may hold once its own marks are filled (a mark in an unexpected encoding).
LEFTOVERS = ("\x00", "%00", "\\u0000")
UNFRAMED = b""  # kept under a key whose page cannot be framed: rendered each time


def key(request, result) -> str | None:
    """Where the page of this search is kept, or None when it reads more of the place or of
    the request than the marks carry (a point, an address, notices, a visitor's cookies)."""
    commune = result.lieu.commune
    if (
        commune is None
        or result.lieu.point
        or result.search.adresse is not None
        or result.notices
        or request.GET.getlist("commune") != [commune.code]
        or not is_anonymous(request)
    ):
        return None
    shape = sorted(_marked_query(request).lists())
    raw = repr((result.key, request.scheme, request.get_host(), request.path, shape))
    return "aides:page:" + hashlib.sha256(raw.encode()).hexdigest()


def page(frame_key: str, request, result, render) -> str | None:
    """The page for the request's commune, from the frame kept under `frame_key` (made with
    `render(request, result)` on a marked copy of both on first use); None when the page
    cannot be framed (the caller renders it)."""
    kept = cache.get(frame_key)
    if kept is None:
        kept = _frame(request, result, render)
        cache.set(frame_key, kept, timeout=None)  # keyed by the version: never stale
    if kept == UNFRAMED:
        return None
    return fill(zlib.decompress(kept).decode(), result.lieu.commune, _nonce(request))


def fill(frame: str, commune, nonce: str) -> str:
    code = commune.code
    return (
        frame.replace(NONCE, nonce)
        .replace(CODE_QUOTED, code)
        .replace(CODE, code)
        .replace(COMMUNE, escape(commune.nom))
    )


def _frame(request, result, render) -> bytes:
    marked_request, marked_result = _marked(request, result)
    html = render(marked_request, marked_result)
    nonce = _nonce(request)
    if nonce:
        html = html.replace(nonce, NONCE)
    filled = html.replace(NONCE, "").replace(CODE_QUOTED, "").replace(CODE, "")
    if any(mark in filled.replace(COMMUNE, "") for mark in LEFTOVERS):
        return UNFRAMED
    return zlib.compress(html.encode(), 1)


def _marked_query(request):
    query = request.GET.copy()
    query["commune"] = CODE
    return query


def _marked(request, result):
    """Copies of the request and the search whose commune is the marks."""
    query = _marked_query(request)
    marked_request = copy.copy(request)
    marked_request.GET = query
    search = copy.copy(result.search)
    search.raw = query
    form = copy.copy(search.form)
    form.data = form.data.copy()
    form.data["commune"] = CODE
    form._bound_fields_cache = {}
    search.form = form
    commune = copy.copy(result.lieu.commune)
    commune.nom, commune.code = COMMUNE, CODE
    lieu = replace(result.lieu, commune=commune)
    return marked_request, replace(result, search=search, lieu=lieu)


def _nonce(request) -> str:
    return str(getattr(request, "csp_nonce", "") or "")
