"""The « Me prévenir » form: what it follows, French errors with a 4xx, CSRF, the same
answer whether the address is known or not."""

import pytest
from django.test import Client
from django.urls import reverse

from aides.alertes.models import Alerte
from tests.aides.alertes.conftest import confirm, page, same_page, subscribe

pytestmark = pytest.mark.django_db
URL = reverse("alertes:creer")
RECHERCHE = "commune=93066&profession=medecin-generaliste"


def test_the_form_names_the_search_it_follows(client, aide_zip):
    response = client.get(URL + "?" + RECHERCHE + "&tri=montant&page=2")
    text = page(response)
    assert "Médecin généraliste à Saint-Denis (93066)" in text
    assert "1 aide pour cette recherche" in text
    assert '<label for="id_email" class="fr-label">' in response.content.decode()


def test_a_search_without_a_place_is_refused_in_french(client, smtp):
    response = client.post(URL, {"email": "a@example.test", "recherche": "commune=zzzz"})
    assert response.status_code == 400
    assert "n'indique pas de commune connue" in page(response)
    assert not Alerte.objects.exists()
    assert smtp.take() == []


def test_a_malformed_address_is_refused_in_french(client, smtp, aide_zip):
    response = client.post(URL, {"email": "pas une adresse", "recherche": RECHERCHE})
    assert response.status_code == 400
    assert "Saisissez une adresse électronique valide" in page(response)
    assert smtp.take() == []


def test_the_form_needs_its_csrf_token(aide_zip, smtp):
    response = Client(enforce_csrf_checks=True).post(
        URL, {"email": "a@example.test", "recherche": RECHERCHE}
    )
    assert response.status_code == 403
    assert not Alerte.objects.exists()


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(client, smtp, aide_zip):
    confirm(client, subscribe(client, smtp, "connue@example.test"))
    known = client.post(URL, {"email": "connue@example.test", "recherche": RECHERCHE})
    unknown = client.post(URL, {"email": "inconnue@example.test", "recherche": RECHERCHE})
    assert known.status_code == unknown.status_code == 200
    assert same_page(known, unknown)
    # The confirmed alert is not asked to be confirmed again; the new address is.
    (message,) = smtp.take()
    assert message["To"] == "inconnue@example.test"


def test_asking_again_for_a_pending_alert_sends_the_link_again(client, smtp, aide_zip):
    subscribe(client, smtp, "Medecin@Example.test")
    subscribe(client, smtp, "medecin@example.test ")
    assert Alerte.objects.get().email == "medecin@example.test"


def test_without_a_place_the_form_says_to_choose_one_first(client):
    text = page(client.get(URL + "?profession=infirmier"))
    assert "Cette recherche n'indique pas de commune connue" in text
