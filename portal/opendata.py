"""How the open data goes out: licence link and public caching on every download.

What goes out is each owner's: structures.opendata (structures, professionals by commune),
aides.opendata (the aid catalogue); what they share (licence, Last-Modified, French 400s)
is in portal.lib.opendata.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control

from portal.lib.opendata import LICENCE

LICENCE_LINK = f'<{LICENCE["url"]}>; rel="license"; title="{LICENCE["nom"]}"'
# Downloads and API: clients revalidate (ETag / Last-Modified) after 5 minutes.
MAX_AGE = 300
OPEN_DATA_PREFIXES = ("/api/v1/", "/donnees/", "/bilan/")


class OpenDataMiddleware:
    """Licence link and public caching on API answers and data downloads.

    HTML pages are left alone: they carry a per-request CSP nonce and must not be cached
    by shared caches. ETag and 304 are portal.lib.pagecache's, for every public answer;
    views add Last-Modified themselves (`condition` decorators).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(OPEN_DATA_PREFIXES):
            return response
        if response.get("Content-Type", "").startswith("text/html"):
            return response
        response.headers.setdefault("Link", LICENCE_LINK)
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response
