"""Rate limits per address and per client address (Django's cache): a French 429."""

import pytest
from django.urls import reverse

from tests.aides.alertes.conftest import page

pytestmark = pytest.mark.django_db
URL = reverse("alertes:creer")
RECHERCHE = "commune=93066&profession=medecin-generaliste"


def test_too_many_requests_for_one_address(client, smtp, aide_zip, settings):
    settings.ALERTES_LIMITE_PAR_ADRESSE = 2
    for _ in range(2):
        assert (
            client.post(URL, {"email": "a@example.test", "recherche": RECHERCHE}).status_code == 200
        )
    refused = client.post(URL, {"email": "A@example.test", "recherche": RECHERCHE})
    assert refused.status_code == 429
    assert "Trop de demandes" in page(refused)
    assert refused["Retry-After"] == str(settings.ALERTES_LIMITE_FENETRE)
    assert len(smtp.take()) == 2
    # Another address from the same client is still served.
    assert client.post(URL, {"email": "b@example.test", "recherche": RECHERCHE}).status_code == 200


def test_too_many_requests_from_one_client(client, smtp, aide_zip, settings):
    settings.ALERTES_LIMITE_PAR_IP = 3
    for n in range(3):
        data = {"email": f"p{n}@example.test", "recherche": RECHERCHE}
        assert client.post(URL, data).status_code == 200
    refused = client.post(URL, {"email": "p9@example.test", "recherche": RECHERCHE})
    assert refused.status_code == 429
    assert "depuis votre connexion" in page(refused)
    assert len(smtp.take()) == 3
    other = client.post(
        URL, {"email": "p9@example.test", "recherche": RECHERCHE}, REMOTE_ADDR="192.0.2.7"
    )
    assert other.status_code == 200


def test_the_deletion_page_is_limited_too(client, smtp, settings):
    settings.ALERTES_LIMITE_PAR_ADRESSE = 1
    url = reverse("alertes:suppression")
    assert client.post(url, {"email": "a@example.test"}).status_code == 200
    assert client.post(url, {"email": "a@example.test"}).status_code == 429
