"""The whole journey through a real SMTP server: subscribe, confirm, a newly published aid
is sent in the weekly digest, one-click unsubscribe, and nothing sent afterwards."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from aides.alertes.models import Alerte
from tests.aides.alertes.conftest import (
    html_of,
    link_after,
    page,
    path_of,
    text_of,
    unsubscribe_header,
)
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db
SEARCH = {"commune": "93066", "profession": "medecin-generaliste"}


@pytest.fixture
def aide_zip(zip_saint_denis):
    return AideFactory(
        slug="aide-zip",
        nom="Aide aux médecins en ZIP",
        professions=["medecin-generaliste"],
        conditions=[("medecin-generaliste", "zip")],
    )


def _digest():
    call_command("send_alert_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115


def subscribe(client, smtp, address="medecin@example.test"):
    finder = client.get(reverse("aides:finder"), SEARCH).content.decode()
    href = re.search(r'href="(/alertes/creer/[^"]*)"', finder).group(1).replace("&amp;", "&")
    form = client.get(href)
    assert form.status_code == 200
    assert "Médecin généraliste à Saint-Denis (93066)" in page(form)
    recherche = re.search(r'name="recherche" value="([^"]*)"', form.content.decode()).group(1)
    response = client.post(
        reverse("alertes:creer"), {"email": address, "recherche": recherche.replace("&amp;", "&")}
    )
    assert response.status_code == 200
    assert "Vérifiez votre messagerie" in page(response)
    (message,) = smtp.take()
    return message


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
    _digest()
    assert smtp.take() == []

    assert "Confirmer l'alerte" in page(client.get(path_of(confirmer)))
    assert Alerte.objects.get().etat == Alerte.Etat.EN_ATTENTE  # a link scanner's GET
    assert "Alerte confirmée" in page(client.post(path_of(confirmer)))
    assert Alerte.objects.get().etat == Alerte.Etat.CONFIRMEE

    # Nothing changed since the confirmation: no message.
    _digest()
    assert smtp.take() == []

    # An agent publishes a new aid for that place.
    brouillon.statut = "publiee"
    brouillon.save()
    _digest()
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
    _digest()
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

    confirmation = subscribe(client, smtp)
    client.post(path_of(link_after(text_of(confirmation), "Pour la confirmer")))
    aide_zip.date_cloture = timezone.localdate() + timedelta(days=20)
    aide_zip.save()
    _digest()
    (digest,) = smtp.take()
    assert "Aides qui ferment dans les 30 jours" in text_of(digest)
    assert "Aide aux médecins en ZIP : close après le" in text_of(digest)
    _digest()
    assert smtp.take() == []
