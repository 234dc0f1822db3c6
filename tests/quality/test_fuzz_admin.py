"""Arbitrary query strings at every admin list of the project's models: never a 500.

Agents share links to filtered lists; custom filters (département, year, QPV…) must turn a
value they do not understand into an empty list or Django's "?e=1" redirect, not a crash.
The parameter names are read from the list's own filter links.
"""

import html
import re
import time
from urllib.parse import parse_qsl

import pytest
from django.contrib import admin
from django.urls import reverse
from hypothesis import given, settings

from tests.quality import stats
from tests.quality.hostile_files import PROJECT_APPS
from tests.quality.strategies import FUZZ_SETTINGS, query_strategy

pytestmark = pytest.mark.django_db

SECONDS_PER_LIST = 1.5
FILTER_LINK = re.compile(r'href="\?([^"]*)"')
ADMIN_KEYS = ["q", "o", "p", "e", "all", "_popup", "_to_field", "date_decision__year"]


def changelists() -> list[str]:
    return sorted(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model in admin.site._registry
        if model._meta.app_label in PROJECT_APPS
    )


@pytest.mark.parametrize("url_name", changelists())
def test_no_query_string_breaks_an_admin_list(url_name, admin_client, demo_data):
    url = reverse(url_name)
    admin_client.get(url)  # the first request of a page pays for its caches
    started = time.perf_counter()
    page = admin_client.get(url)
    elapsed = time.perf_counter() - started
    assert page.status_code == 200
    pairs = [
        pair
        for link in FILTER_LINK.findall(page.content.decode())
        for pair in parse_qsl(html.unescape(link), keep_blank_values=True)
    ]
    keys = sorted({key for key, _ in pairs} | set(ADMIN_KEYS))
    values = sorted({value for _, value in pairs})
    examples = max(5, min(30, int(SECONDS_PER_LIST / max(elapsed, 0.001))))

    @settings(FUZZ_SETTINGS, max_examples=examples)
    @given(query=query_strategy(keys, values))
    def check(query):
        stats.fuzzed["listes de l'administration"] += 1
        response = admin_client.get(f"{url}?{query}")
        assert response.status_code < 500, f"{url}?{query} → {response.status_code}"

    check()
