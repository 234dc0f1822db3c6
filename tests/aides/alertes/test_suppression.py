"""Deleting every alert of an address through an e-mailed link; expiry of requests."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aides.alertes.models import Alerte
from tests.aides.alertes.conftest import (
    confirm,
    link_after,
    page,
    path_of,
    same_page,
    send_digests,
    subscribe,
    text_of,
    unsubscribe_header,
)

pytestmark = pytest.mark.django_db
URL = reverse("alertes:suppression")


def test_every_alert_of_an_address_is_deleted_through_the_link(client, smtp, aide_zip):
    confirm(client, subscribe(client, smtp, "medecin@example.test"))
    subscribe(client, smtp, "medecin@example.test", {"commune": "77379"})
    subscribe(client, smtp, "autre@example.test")
    known = client.post(URL, {"email": "Medecin@example.test"})
    unknown = client.post(URL, {"email": "personne@example.test"})
    assert same_page(known, unknown)
    assert "Si des alertes sont enregistrées pour cette adresse" in page(known)
    (message,) = smtp.take()  # none for the unknown address
    assert message["To"] == "medecin@example.test"
    lien = link_after(text_of(message), "Pour les supprimer toutes")
    assert unsubscribe_header(message) == lien
    assert "Supprimer toutes les alertes de medecin@example.test" in page(client.get(path_of(lien)))
    assert Alerte.objects.count() == 3
    client.post(path_of(lien))
    assert list(Alerte.objects.values_list("email", flat=True)) == ["autre@example.test"]


def test_the_deletion_link_works_in_one_click(client, smtp, aide_zip):
    subscribe(client, smtp)
    client.post(URL, {"email": "medecin@example.test"})
    (message,) = smtp.take()
    Client(enforce_csrf_checks=True).post(
        path_of(unsubscribe_header(message)), "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert not Alerte.objects.exists()


def test_an_altered_link_deletes_nothing(client, smtp, aide_zip):
    subscribe(client, smtp)
    client.post(URL, {"email": "medecin@example.test"})
    lien = unsubscribe_header(smtp.take()[0])
    altered = path_of(lien)[:-3] + "xx/"
    assert client.get(altered).status_code == 404
    assert client.post(altered).status_code == 404
    assert Alerte.objects.count() == 1


def test_unconfirmed_requests_expire_after_seven_days(client, smtp, aide_zip):
    old = subscribe(client, smtp, "ancienne@example.test")
    subscribe(client, smtp, "recente@example.test")
    Alerte.objects.filter(email="ancienne@example.test").update(
        cree_le=timezone.now() - dt.timedelta(days=7, minutes=1)
    )
    confirmer = path_of(link_after(text_of(old), "Pour la confirmer"))
    expired = client.post(confirmer)
    assert expired.status_code == 404
    assert "Lien invalide ou expiré" in page(expired)
    assert "1 demande(s) non confirmée(s) supprimée(s)" in send_digests()
    assert list(Alerte.objects.values_list("email", flat=True)) == ["recente@example.test"]


def test_the_privacy_page_says_what_is_kept_and_how_long(client):
    text = page(client.get(reverse("portal:mentions")))
    assert "Alertes par courriel" in text
    assert "supprimée, avec l'adresse, 7 jours après la demande" in text
    assert "jusqu'au désabonnement" in text
