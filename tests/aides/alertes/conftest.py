"""A real SMTP server on a free local port (aiosmtpd): the alert messages go through
Django's SMTP backend and the tests read what the server received."""

import email
import email.policy
import html
import logging
import socket
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller


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
