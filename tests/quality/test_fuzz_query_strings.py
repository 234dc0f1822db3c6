"""Arbitrary query strings at every public page and API endpoint: never a 500.

Pages come from the URL resolver (tests/quality/discovery.py), with real codes and slugs in
their paths. Parameter names are those of the page's own form fields plus the usual ones of
the portal; values mix valid options read from the page with hostile text, numbers and
dates. Hypothesis keeps the number of examples bounded (PORTAL_FUZZ_EXAMPLES per page).
"""

import os
import re
import time
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.quality import stats
from tests.quality.discovery import public_routes

pytestmark = pytest.mark.django_db

# Examples per page: as many as fit in SECONDS_PER_PAGE at the page's own speed, between
# MIN_EXAMPLES and MAX_EXAMPLES (slow map pages get fewer than the light API endpoints).
MAX_EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "40"))
MIN_EXAMPLES = 10
SECONDS_PER_PAGE = float(os.environ.get("PORTAL_FUZZ_SECONDS_PER_PAGE", "2.5"))
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),  # reproducible in CI, exploring locally
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

COMMON_KEYS = [
    "q", "commune", "code", "insee", "lat", "lon", "profession", "etape", "page", "tri",
    "ordre", "financeur", "forme", "ouvert", "fermees", "date", "region", "departement",
    "format", "type", "statut", "annee", "categorie", "public", "zonage", "par", "limit",
]  # fmt: skip
HOSTILE_VALUES = [
    "", " ", "0", "-1", "1.5", "99999999999999999999999", "1e309", "-1e309", "nan", "inf",
    "2026-02-30", "9999-12-31", "0000-00-00", "31/12/2026", "93066", "75056", "2A", "2B",
    "97", "%", "%00", "\x00", "\r\n", "' OR 1=1 --", "<script>alert(1)</script>",
    "../../etc/passwd", "a" * 3000, "48.85,2.35", "[]", "{}", "null", "true", "é" * 50,
    "🏥", "\u202e", "Saint-Denis", "saint denis", "77160",
]  # fmt: skip
XSS_MARKER = "<script>alert(1)</script>"
FIELD_NAME = re.compile(r'\bname="([^"]+)"')
OPTION_VALUE = re.compile(r'<option[^>]*\bvalue="([^"]*)"')


def values_strategy(page_options: list[str]):
    return st.one_of(
        st.sampled_from(HOSTILE_VALUES),
        st.sampled_from(page_options or ["x"]),
        st.text(max_size=30),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


def query_strategy(keys: list[str], page_options: list[str]):
    pair = st.tuples(st.sampled_from(keys), values_strategy(page_options))
    encoded = st.lists(pair, max_size=6).map(urlencode)
    # Raw strings too: broken percent-encodings, separators, lone '=' and '&'.
    raw = st.text(alphabet="abcqz=&;%+#?/ 0123456789éF\x00", max_size=40).map(
        lambda text: quote(text, safe="=&;%+?/")
    )
    return st.one_of(encoded, encoded, raw)


def page_vocabulary(client: Client, url: str) -> tuple[list[str], list[str], float]:
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
