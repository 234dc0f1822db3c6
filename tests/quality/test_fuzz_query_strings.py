"""Arbitrary query strings at every public page and API endpoint: never a 500.

Pages come from the URL resolver (tests/quality/discovery.py), with real codes and slugs in
their paths. Parameter names are those of the page's own form fields plus the usual ones of
the portal; values mix valid options read from the page with hostile text, numbers and
dates. Hypothesis keeps the number of examples bounded (PORTAL_FUZZ_EXAMPLES per page).
"""

import os
import re
import time

import pytest
from django.test import Client
from hypothesis import given, settings

from tests.quality import stats
from tests.quality.discovery import public_routes
from tests.quality.strategies import COMMON_KEYS, FUZZ_SETTINGS, query_strategy

pytestmark = pytest.mark.django_db

# Examples per page: as many as fit in SECONDS_PER_PAGE at the page's own speed, between
# MIN_EXAMPLES and MAX_EXAMPLES (slow map pages get fewer than the light API endpoints).
MAX_EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "40"))
MIN_EXAMPLES = 10
SECONDS_PER_PAGE = float(os.environ.get("PORTAL_FUZZ_SECONDS_PER_PAGE", "2.5"))
XSS_MARKER = "<script>alert(1)</script>"
FIELD_NAME = re.compile(r'\bname="([^"]+)"')
OPTION_VALUE = re.compile(r'<option[^>]*\bvalue="([^"]*)"')


def page_vocabulary(client: Client, url: str) -> tuple[list[str], list[str], float]:
    client.get(url)  # the first request of a page pays for its caches
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    body = response.content.decode(errors="replace") if response.status_code == 200 else ""
    names = [n for n in FIELD_NAME.findall(body) if n not in {"csrfmiddlewaretoken"}]
    options = OPTION_VALUE.findall(body)
    return sorted(set(names) | set(COMMON_KEYS)), sorted(set(options)), elapsed


@pytest.mark.parametrize(("route", "name"), public_routes(), ids=[n for _, n in public_routes()])
def test_no_query_string_breaks_the_page(route, name, client, pages):
    url = pages[name].fuzz_url
    keys, options, elapsed = page_vocabulary(client, url)
    examples = max(MIN_EXAMPLES, min(MAX_EXAMPLES, int(SECONDS_PER_PAGE / max(elapsed, 0.001))))

    @settings(FUZZ_SETTINGS, max_examples=examples)
    @given(query=query_strategy(keys, options))
    def check(query):
        stats.fuzzed["chaînes de requête"] += 1
        response = client.get(f"{url}?{query}")
        assert response.status_code < 500, f"{url}?{query} → {response.status_code}"
        if "text/html" in response.get("Content-Type", ""):
            assert XSS_MARKER not in response.content.decode(errors="replace"), (
                f"{url}?{query} renvoie du HTML non échappé"
            )

    check()


def test_every_route_with_parameters_is_reached_with_real_values(pages):
    """Otherwise its fuzzing would only ever meet a 404 (a new page whose values the
    discovery cannot find: give them in discovery.KNOWN_VALUES)."""
    assert len(pages) >= 20
    unreached = [f"{p.name} ({p.tried[:3]})" for p in pages.values() if p.params and p.url is None]
    assert unreached == []
