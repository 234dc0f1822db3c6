"""The whole journey through a real SMTP server: subscribe, confirm, a newly published aid
is sent in the weekly digest, one-click unsubscribe, and nothing sent afterwards."""

import pytest
from django.test import Client

from aides.alertes.models import Alerte
from tests.aides.alertes.conftest import (
    confirm,
    html_of,
    link_after,
    page,
    path_of,
    send_digests,
    subscribe,
    text_of,
    unsubscribe_header,
)
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db


def test_subscribe_confirm_digest_unsubscribe(client, smtp, aide_zip):
    brouillon = AideFactory(
        slug="nouvelle-aide", nom="Prime d'installation en ZIP", statut="brouillon",
        professions=["medecin-generaliste"], conditions=[("medecin-generaliste", "zip")],
    )  # fmt: skip
    confirmation = subscribe(client, smtp)
    assert confirmation["To"] == "medecin@example.test"
    assert "Confirmez votre alerte" in confirmation["Subject"]
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = text_of(confirmation)
    confirmer = link_after(text, "Pour la confirmer")
    assert confirmer.startswith("http://portail.test/alertes/confirmer/")
    assert Alerte.objects.get().etat == Alerte.Etat.EN_ATTENTE

    # Nothing is sent to an unconfirmed address.
    send_digests()
    assert smtp.take() == []

    assert "Confirmer l'alerte" in page(client.get(path_of(confirmer)))
    assert Alerte.objects.get().etat == Alerte.Etat.EN_ATTENTE  # a link scanner's GET
    assert "Alerte confirmée" in page(client.post(path_of(confirmer)))
    assert Alerte.objects.get().etat == Alerte.Etat.CONFIRMEE

    # Nothing changed since the confirmation: no message.
    send_digests()
    assert smtp.take() == []

    # An agent publishes a new aid for that place.
    brouillon.statut = "publiee"
    brouillon.save()
    send_digests()
    (digest,) = smtp.take()
    assert " ".join(digest["Subject"].split()) == (
        "Du nouveau pour votre alerte : Médecin généraliste à Saint-Denis (93066)"
    )
    body = text_of(digest)
    assert "Nouvelles aides qui s'appliquent" in body
    assert "Prime d'installation en ZIP : http://portail.test/aides/nouvelle-aide/" in body
    assert "Aide aux médecins en ZIP" not in body  # already there when confirmed
    assert "Prime d&#x27;installation en ZIP" in html_of(digest)
    unsubscribe = unsubscribe_header(digest)
    assert unsubscribe == link_after(body, "Se désabonner")

    # One click from the mail client (RFC 8058): a POST without any CSRF token.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        path_of(unsubscribe), "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert response.status_code == 200
    assert not Alerte.objects.exists()

    AideFactory(
        slug="encore", nom="Encore une aide", professions=["medecin-generaliste"],
        conditions=[("medecin-generaliste", "zip")],
    )  # fmt: skip
    send_digests()
    assert smtp.take() == []


def test_unsubscribe_link_opened_in_a_browser_asks_before_deleting(client, smtp, aide_zip):
    confirmation = subscribe(client, smtp)
    unsubscribe = unsubscribe_header(confirmation)
    assert "Me désabonner" in page(client.get(path_of(unsubscribe)))
    assert Alerte.objects.count() == 1
    client.post(path_of(unsubscribe))
    assert not Alerte.objects.exists()
    assert client.get(path_of(unsubscribe)).status_code == 404


def test_a_closing_aid_is_announced_once(client, smtp, aide_zip):
    from datetime import timedelta

    from django.utils import timezone

    confirm(client, subscribe(client, smtp))
    aide_zip.date_cloture = timezone.localdate() + timedelta(days=20)
    aide_zip.save()
    send_digests()
    (digest,) = smtp.take()
    assert "Aides qui ferment dans les 30 jours" in text_of(digest)
    assert "Aide aux médecins en ZIP : close après le" in text_of(digest)
    send_digests()
    assert smtp.take() == []
