"""The API's assembly on django-ninja: French errors, local console, one commune shape."""

import json
import re

import pytest
from django.test import RequestFactory
from ninja.errors import HttpError, ValidationError

from portal.api import api, description, endpoints
from territoires.api import commune_json
from territoires.models import Commune

ASSET = re.compile(r'\b(?:src|href)="([^"]*)"')
SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def test_ninja_validation_errors_are_our_french_400s():
    request = RequestFactory().get("/api/v1/structures")
    problems = [
        {"type": "int_parsing", "loc": ("query", "annee_min"), "msg": "Input should be…"},
        {"type": "missing", "loc": ("query", "region"), "msg": "Field required"},
    ]
    response = api.on_exception(request, ValidationError(problems))
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "erreur": "Paramètres invalides : corrigez-les ou retirez-les.",
        "details": {
            "annee_min": ["Nombre entier attendu."],
            "region": ["Paramètre obligatoire."],
        },
    }


def test_ninja_http_errors_are_french_too():
    request = RequestFactory().get("/api/v1/structures")
    response = api.on_exception(request, HttpError(400, "Cannot parse request body"))
    assert response.status_code == 400
    assert json.loads(response.content) == {"erreur": "Requête invalide."}


def test_unexpected_errors_reach_django_even_in_debug(settings):
    """So the 500 page and portal.health's 503 stay Django's, never ninja's traceback."""
    settings.DEBUG = True
    with pytest.raises(ZeroDivisionError):
        api.on_exception(RequestFactory().get("/api/v1/"), ZeroDivisionError())


def test_geojson_answers_are_described_as_such():
    paths = description()["paths"]
    for path in ("/api/v1/structures", "/api/v1/structures/{id}"):
        assert list(paths[path]["get"]["responses"]["200"]["content"]) == ["application/geo+json"]
    assert paths["/api/v1/lieu"]["get"]["responses"]["404"]["description"].startswith("Objet")


@pytest.mark.django_db
def test_the_console_is_served_by_the_portal_without_inline_script(client):
    response = client.get("/donnees/api/console/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = ASSET.findall(html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert {a for a in assets if "." in a.rsplit("/", 1)[-1]} <= {
        a for a in assets if a.startswith("/static/")
    }
    for script in SCRIPT.finditer(html):  # the CSP runs no inline script without a nonce
        attrs, body = script["attrs"], script["body"].strip()
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
        assert "src=" not in attrs or not body
    assert '"url": "/api/v1/openapi.json"' in html


@pytest.mark.django_db
def test_the_documentation_page_shows_every_described_operation(client):
    html = client.get("/donnees/api/").content.decode()
    assert 'href="/donnees/api/console/"' in html
    for operation in endpoints():
        assert f'id="{operation["id"]}"' in html
        assert f"<code>GET {operation['path']}</code>" in html
    structures = next(e for e in endpoints() if e["path"] == "/api/v1/structures")
    types = next(p for p in structures["parameters"] if p["name"] == "type")
    assert "msp" in types["values"]  # a repeatable parameter's values come from its items


@pytest.mark.django_db
def test_one_commune_shape_in_the_referentiel_and_in_lieu(client):
    provins = Commune.objects.get(code="77379")
    shared = commune_json(provins)
    listing = client.get("/api/v1/territoires/communes", {"departement": "77"}).json()
    item = next(c for c in listing["results"] if c["code"] == "77379")
    detail = client.get("/api/v1/territoires/communes/77379").json()
    lieu = client.get("/api/v1/lieu", {"commune": "77379"}).json()["commune"]
    for answer in (item, detail, lieu):
        assert shared.items() <= answer.items()
    assert detail["epci"] == lieu["epci"]
