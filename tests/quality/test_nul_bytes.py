"""A NUL byte in a path or a query string is refused with a French 400, never a 500.

PostgreSQL refuses NUL in text values, so a raw `%00` reaching a query raised a 500 on
PostgreSQL (15 public URLs in the attack report). Every public route found in the URLconf
(tests/quality/discovery.py) is requested with NUL in each of its path parameters and in
each query parameter its page knows (its form fields and the portal's usual keys).
"""

import re

import pytest
from django.test import Client
from django.urls import resolve

from tests.quality.discovery import _PARAM, public_routes
from tests.quality.strategies import COMMON_KEYS

pytestmark = pytest.mark.django_db

FIELD_NAME = re.compile(r'\bname="([^"]+)"')
NUL_VALUES = ["%00", "93%0066", "%00%00"]


def _variants(page, client) -> list[str]:
    url = page.fuzz_url
    urls = []
    if page.params:
        values = resolve(url).kwargs
        for param in page.params:
            for nul in NUL_VALUES:
                filled = {name: str(values.get(name, "")) for name in page.params}
                filled[param] = nul
                urls.append("/" + _PARAM.sub(lambda m, f=filled: f[m.group("name")], page.route))
    response = client.get(url)
    body = response.content.decode(errors="replace") if response.status_code == 200 else ""
    keys = sorted(set(FIELD_NAME.findall(body)) - {"csrfmiddlewaretoken"} | set(COMMON_KEYS))
    urls += [f"{url}?{key}=%00" for key in keys]
    urls += [f"{url}?{key}=93%0066" for key in keys[:5]]
    return urls


@pytest.mark.parametrize(("route", "name"), public_routes(), ids=[n for _, n in public_routes()])
def test_nul_bytes_in_paths_and_queries_never_break_a_public_page(route, name, pages):
    client = Client(raise_request_exception=False)
    broken = []
    for url in _variants(pages[name], client):
        response = client.get(url)
        if response.status_code >= 500:
            broken.append(f"{url} → {response.status_code}")
    assert broken == []


def test_nul_byte_is_a_french_bad_request(pages):
    client = Client(raise_request_exception=False)
    response = client.get("/carte/%00/")
    assert response.status_code == 400
    assert "caractère nul" in response.content.decode()
    api = client.get("/api/v1/territoires/communes", {"departement": "\x00"})
    assert api.status_code == 400
    assert api.json()["erreur"].startswith("Paramètres invalides")  # the API's 400 shape
    assert "caractère nul" in api.json()["details"][0]
