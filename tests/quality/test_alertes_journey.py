"""The alert journey in Chromium, through a real local SMTP server: a professional asks to
be told of changes from a finder answer, confirms through the link received, gets a digest
once an agent publishes a new aid for that place, and unsubscribes in one click."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from aides.alertes.models import Alerte
from tests.aides.alertes.conftest import link_after, path_of, smtp, text_of  # noqa: F401
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db


def test_a_professional_subscribes_confirms_gets_a_digest_and_unsubscribes(
    visit,
    smtp,  # noqa: F811 (the SMTP fixture of tests/aides/alertes, imported above)
    settings,
    live_url,
):
    settings.PORTAL_SITE_URL = live_url
    page = visit.page
    visit.goto("/aides/?commune=93066&profession=medecin-generaliste")
    page.get_by_role("link", name="Me prévenir des changements pour cette recherche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Me prévenir des changements")
    expect(page.get_by_text("Médecin généraliste à Saint-Denis (93066)")).to_be_visible()
    page.get_by_label("Votre adresse électronique").fill("medecin@example.test")
    visit.step("demande d'alerte")
    page.get_by_role("button", name="Recevoir l'alerte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")

    (confirmation,) = smtp.take()
    visit.goto(path_of(link_after(text_of(confirmation), "Pour la confirmer")))
    page.get_by_role("button", name="Confirmer l'alerte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerte confirmée")
    visit.step("alerte confirmée")

    # An agent publishes a new aid for Île-de-France; the weekly command runs.
    AideFactory(slug="prime-nouvelle", nom="Prime régionale nouvelle", regions=["11"])
    call_command("send_alert_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    (digest,) = smtp.take()
    body = text_of(digest)
    assert "Prime régionale nouvelle" in body

    visit.goto(path_of(link_after(body, "Se désabonner")))
    page.get_by_role("button", name="Me désabonner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Désabonnement effectué")
    visit.step("désabonnement")
    assert not Alerte.objects.filter(email="medecin@example.test").exists()
