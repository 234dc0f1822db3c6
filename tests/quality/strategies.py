"""Hypothesis strategies for hostile query strings (public pages, API, admin lists)."""

import os
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ_SETTINGS = settings(
    max_examples=int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "40")),
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
