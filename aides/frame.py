"""The finder's page rendered once for every commune of a signature, in two parts.

The cards and the zones block are already kept per signature (`aides.listing`); what is left
of the page reads of the commune only its name and code, and of the request only its query
string and CSP nonce. For a search at a commune asked by its INSEE code (`?commune=93066&…`,
no point, no address, nothing ignored), the page is rendered with marks for these — a copy
of the request whose query says `CODE`, the commune named `COMMUNE` — in two parts kept
apart: the page around the results (the site's header and footer, the form: the same for
every place of the query and data version) and the results (counts, cards, pagination,
links: the same for every commune of the signature). A signature first met renders only
its results. Each commune then fills in its own name (escaped) and code, and each response
its own nonce.

The code mark also ends up percent-encoded in links (`?commune=%00code%00`); an INSEE code
(digits and letters) reads the same escaped, percent-encoded or not. A part where a mark
survives in another encoding (the name percent-encoded, a mark in JSON) is not kept: the
page is rendered for the commune instead.
"""

from __future__ import annotations

import copy
import hashlib
import zlib
from dataclasses import dataclass, replace
from urllib.parse import quote

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import mark_safe

from aides.listing import CODE
from aides.raisons import COMMUNE
from portal.lib.pagecache import is_anonymous

NONCE = "\x00nonce\x00"
RESULTS = "\x00resultats\x00"  # where the results go in the page kept for the query
CODE_QUOTED = quote(CODE)
# What no kept frame may hold once its own marks are filled (a mark in an unexpected encoding).
LEFTOVERS = ("\x00", "%00", "\\u0000")
UNFRAMED = b""  # kept under a key whose page cannot be framed: rendered each time


@dataclass(frozen=True)
class Keys:
    """Where the two parts of a search's page are kept: the page around the results, the
    same for every place of the query (its form, the site's header and footer), and the
    results, the same for every commune of the signature."""

    page: str
    results: str


def key(request, result) -> Keys | None:
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
    where = (request.scheme, request.get_host(), request.path, shape)
    page = (result.version, result.search.date.isoformat(), where)
    return Keys(page=_digest("page", page), results=_digest("resultats", (result.key, where)))


def page(keys: Keys, request, result, render_page, render_results) -> str | None:
    """The page for the request's commune, from the parts kept under `keys`, each made on
    first use on a marked copy of the request and the search (`render_page(request, result,
    RESULTS)`: the page with the results' mark in their place; `render_results(request,
    result)`: the results alone); None when the page cannot be framed (the caller renders
    it)."""
    kept = cache.get_many([keys.page, keys.results])
    missing = [k for k in (keys.page, keys.results) if k not in kept]
    if missing:
        marked = _marked(request, result)
        if keys.page in missing:
            kept[keys.page] = _frame(request, render_page(*marked, mark_safe(RESULTS)), RESULTS)
        if keys.results in missing:
            kept[keys.results] = _frame(request, render_results(*marked))
        cache.set_many({k: kept[k] for k in missing}, timeout=None)  # keyed by the version
    if UNFRAMED in (kept[keys.page], kept[keys.results]):
        return None
    around, results = (zlib.decompress(kept[k]).decode() for k in (keys.page, keys.results))
    return fill(around.replace(RESULTS, results), result.lieu.commune, _nonce(request))


def fill(frame: str, commune, nonce: str) -> str:
    code = commune.code
    return (
        frame.replace(NONCE, nonce)
        .replace(CODE_QUOTED, code)
        .replace(CODE, code)
        .replace(COMMUNE, escape(commune.nom))
    )


def _frame(request, html: str, *expected: str) -> bytes:
    """`html` compressed, the request's nonce marked; UNFRAMED when a mark (but `expected`)
    survives in another encoding."""
    nonce = _nonce(request)
    if nonce:
        html = html.replace(nonce, NONCE)
    filled = html.replace(NONCE, "").replace(CODE_QUOTED, "").replace(CODE, "")
    for mark in (COMMUNE, *expected):
        filled = filled.replace(mark, "")
    if any(mark in filled for mark in LEFTOVERS):
        return UNFRAMED
    return zlib.compress(html.encode(), 1)


def _digest(part: str, raw) -> str:
    return f"aides:{part}:" + hashlib.sha256(repr(raw).encode()).hexdigest()


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
