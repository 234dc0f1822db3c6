"""Optional address search: off by default; with it, an address becomes a point and a commune.

The service is never called: `aides.geocoder.fetch` is replaced by answers stored in
fixtures/aides/geocoder/ (see the README there).
"""

import json
import urllib.error
from pathlib import Path

import pytest
from django.conf import settings

from aides import geocoder
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db
ANSWERS = Path(settings.BASE_DIR) / "fixtures" / "aides" / "geocoder"
URL = "/aides/"


def replay(monkeypatch, name):
    answer = json.loads((ANSWERS / name).read_text(encoding="utf-8"))
    calls = []

    def fake_fetch(query):
        calls.append(query)
        return answer

    monkeypatch.setattr(geocoder, "fetch", fake_fetch)
    return calls


@pytest.fixture
def aides(zip_saint_denis):
    AideFactory(slug="aide-zip", nom="Aide aux médecins en ZIP", conditions=[("", "zip")])
    AideFactory(slug="paris-med", nom="Aide parisienne", communes=["75056"])


def test_address_field_is_absent_when_the_geocoder_is_off(client, aides, settings):
    settings.GEOCODER_ENABLED = False
    html = client.get(URL).content.decode()
    assert 'name="adresse"' not in html
    response = client.get("/api/v1/aides", {"adresse": "1 rue X"})
    assert response.status_code == 400  # unusable without the geocoder: said, not ignored


def test_address_gives_the_point_and_the_commune(client, aides, settings, monkeypatch):
    settings.GEOCODER_ENABLED = True
    calls = replay(monkeypatch, "saint-denis-basilique.json")
    html = client.get(URL, {"adresse": "1 rue de la Légion d'Honneur Saint-Denis"}).content.decode()
    assert calls == ["1 rue de la Légion d'Honneur Saint-Denis"]
    assert "à Saint-Denis" in html and "Aide aux médecins en ZIP" in html


def test_paris_address_resolves_to_its_arrondissement(client, aides, settings, monkeypatch):
    settings.GEOCODER_ENABLED = True
    replay(monkeypatch, "paris-11-voltaire.json")
    body = client.get("/api/v1/aides", {"adresse": "12 boulevard Voltaire Paris"}).json()
    assert body["lieu"]["commune"]["code"] == "75111"
    assert [r["slug"] for r in body["results"]] == ["paris-med"]


def test_no_result_and_service_down_give_french_messages(client, aides, settings, monkeypatch):
    settings.GEOCODER_ENABLED = True
    replay(monkeypatch, "aucun-resultat.json")
    html = client.get(URL, {"adresse": "zzzz qqqq"}).content.decode()
    assert "Aucune adresse trouvée pour « zzzz qqqq »." in html

    def down(query):
        raise urllib.error.URLError("timeout")

    monkeypatch.setattr(geocoder, "fetch", down)
    response = client.get(URL, {"adresse": "1 rue de Paris"})
    assert response.status_code == 200
    assert "La recherche d&#x27;adresse est momentanément indisponible" in response.content.decode()
