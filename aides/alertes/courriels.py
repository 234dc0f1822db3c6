"""The alert messages, through Django's e-mail API (SMTP in production: EMAIL_* settings).

Plain text and HTML rendered by Django templates (the HTML autoescaped: an aid's name is
text, never markup); subjects on one line; every message carries its one-click
unsubscribe link (List-Unsubscribe, RFC 8058 List-Unsubscribe-Post).
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from aides.alertes import liens
from aides.alertes.models import Alerte

TEMPLATES = "aides/alertes/courriels/"


def one_line(text: str) -> str:
    return " ".join(str(text).split())[:200]


def send(to: str, subject: str, template: str, context: dict, desabonner: str) -> None:
    context = {**context, "desabonner": desabonner}
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=render_to_string(f"{TEMPLATES}{template}.txt", context),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{desabonner}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    html = render_to_string(f"{TEMPLATES}{template}.html", context)
    message.attach_alternative(html, "text/html")
    message.send()


def confirmation(alerte: Alerte) -> None:
    send(
        alerte.email,
        f"Confirmez votre alerte : {alerte.libelle}",
        "confirmation",
        {"alerte": alerte, "confirmer": liens.url(alerte, liens.CONFIRMER)},
        liens.url(alerte, liens.DESABONNER),
    )


def digest(alerte: Alerte, found, recherche_url: str) -> None:
    for item in [*found.nouvelles, *found.fermetures]:
        item.url = liens.absolute(item.aide.get_absolute_url())
    send(
        alerte.email,
        f"Du nouveau pour votre alerte : {alerte.libelle}",
        "digest",
        {"alerte": alerte, "changements": found, "recherche": recherche_url},
        liens.url(alerte, liens.DESABONNER),
    )


def suppression(alerte: Alerte) -> None:
    """The link deleting every alert of `alerte`'s address (one-click as well)."""
    lien = liens.url(alerte, liens.SUPPRIMER)
    send(alerte.email, "Supprimer vos alertes", "suppression", {"supprimer": lien}, lien)
