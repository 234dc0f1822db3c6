"""What a digest says: zoning before and after, hostile aid names, nothing when nothing
changed."""

import pytest

from tests.aides.alertes.conftest import confirm, html_of, send_digests, subscribe, text_of
from tests.factories import AideFactory, ZonageFactory, ZoneFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_zoning_change_is_sent_with_before_and_after(client, smtp, aide_zip):
    confirm(client, subscribe(client, smtp))
    qpv = ZonageFactory(qpv=True)
    ZoneFactory(
        categorie__zonage=qpv, categorie__code="qpv",
        categorie__libelle="Quartier prioritaire de la politique de la ville",
        communes=["93066"],
    )  # fmt: skip
    send_digests()
    (digest,) = smtp.take()
    body = text_of(digest)
    assert "Le zonage de ce lieu a changé." in body
    assert "Avant : Zone d'intervention prioritaire (ZIP) — " in body
    after = body.split("Après : ", 1)[1].splitlines()[0]
    assert "Quartier prioritaire de la politique de la ville — QPV de test" in after
    assert "<caption>Zones avant et après</caption>" in html_of(digest)


def test_hostile_aid_names_are_text_in_every_part(client, smtp, aide_zip):
    confirm(client, subscribe(client, smtp))
    AideFactory(
        slug="hostile", nom=HOSTILE + "\r\nBcc: victime@example.test",
        professions=["medecin-generaliste"], conditions=[("medecin-generaliste", "zip")],
    )  # fmt: skip
    send_digests()
    (digest,) = smtp.take()
    html = html_of(digest)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert digest["Bcc"] is None
    assert "\n" not in digest["Subject"].strip()


def test_nothing_is_sent_when_nothing_changed(client, smtp, aide_zip):
    confirm(client, subscribe(client, smtp))
    AideFactory(slug="ailleurs", nom="Aide de Provins", communes=["77379"])
    assert "0 message(s) envoyé(s)" in send_digests()
    assert smtp.take() == []
