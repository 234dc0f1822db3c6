"""The alert messages (sent by portal.lib.mail): every message carries its one-click
unsubscribe link (List-Unsubscribe, RFC 8058 List-Unsubscribe-Post).
"""

from __future__ import annotations

from aides.alertes import liens
from aides.alertes.models import Alerte
from portal.lib import mail

TEMPLATES = "aides/alertes/courriels/"


def send(to: str, subject: str, template: str, context: dict, desabonner: str) -> None:
    mail.send(
        to, subject, f"{TEMPLATES}{template}.txt", f"{TEMPLATES}{template}.html",
        {**context, "desabonner": desabonner},
        subject_max=200,
        headers={
            "List-Unsubscribe": f"<{desabonner}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )  # fmt: skip


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
