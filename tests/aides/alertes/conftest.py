"""A real SMTP server on a free local port (aiosmtpd): the alert messages go through
Django's SMTP backend and the tests read what the server received."""

import email
import email.policy
import html
import io
import logging
import re
import socket
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.urls import reverse

from tests.factories import AideFactory

SEARCH = {"commune": "93066", "profession": "medecin-generaliste"}


@pytest.fixture
def aide_zip(zip_saint_denis):
    """An aid for GPs in ZIP: Saint-Denis (93066) is in ZIP (zip_saint_denis)."""
    return AideFactory(
        slug="aide-zip",
        nom="Aide aux médecins en ZIP",
        professions=["medecin-generaliste"],
        conditions=[("medecin-generaliste", "zip")],
    )


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 OK"

    def take(self) -> list:
        taken, self.messages = self.messages, []
        return taken


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's session log
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.PORTAL_SITE_URL = "http://portail.test"
    yield inbox
    controller.stop()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def path_of(url: str) -> str:
    return urlsplit(url).path


def link_after(text: str, marker: str) -> str:
    """The first http(s) link that follows `marker` in a plain-text message."""
    rest = text[text.index(marker) :]
    start = rest.index("http")
    return rest[start:].split()[0]


def page(response) -> str:
    """The page's text as a reader gets it (entities decoded)."""
    return html.unescape(response.content.decode())


def unsubscribe_header(message) -> str:
    """The List-Unsubscribe link (the header may be folded over lines)."""
    return "".join(message["List-Unsubscribe"].split()).strip("<>")


def send_digests() -> str:
    out = io.StringIO()
    call_command("send_alert_digests", stdout=out)
    return out.getvalue()


def subscribe(client, smtp, address="medecin@example.test", search=SEARCH):
    """« Me prévenir » from the finder's answer, as a visitor does it; the message received."""
    finder = client.get(reverse("aides:finder"), search).content.decode()
    href = re.search(r'href="(/alertes/creer/[^"]*)"', finder).group(1).replace("&amp;", "&")
    form = client.get(href)
    assert form.status_code == 200
    recherche = re.search(r'name="recherche" value="([^"]*)"', form.content.decode()).group(1)
    response = client.post(
        reverse("alertes:creer"), {"email": address, "recherche": html.unescape(recherche)}
    )
    assert response.status_code == 200
    assert "Vérifiez votre messagerie" in page(response)
    (message,) = smtp.take()
    return message


def confirm(client, message) -> None:
    client.post(path_of(link_after(text_of(message), "Pour la confirmer")))


def same_page(first, second) -> bool:
    """The two answers are the same page, apart from the per-request nonce and the random
    ids the DSFR breadcrumb gets."""

    def stable(response):
        text = re.sub(r'nonce="[^"]*"', "", response.content.decode())
        return re.sub(r"breadcrumb-[a-z]+", "breadcrumb", text)

    return first.status_code == second.status_code and stable(first) == stable(second)
