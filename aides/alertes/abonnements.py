"""Subscribing, confirming, and the weekly digests of the alerts.

Sent by `manage.py send_alert_digests` (run weekly by cron): the task queue of the
operations issue (14) has not landed yet; when it does, a task calls `send_digests`.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from aides.alertes import courriels, digest, liens
from aides.alertes.models import Alerte

logger = logging.getLogger(__name__)


def subscribe(email: str, recherche: str, libelle: str) -> None:
    """A pending alert and its confirmation message; asking again for a pending alert sends
    the confirmation again, for a confirmed one nothing (the page says the same anyway)."""
    alerte, created = Alerte.objects.get_or_create(
        email=email, recherche=recherche, defaults={"libelle": libelle}
    )
    if not created and alerte.etat == Alerte.Etat.CONFIRMEE:
        return
    if not created:
        alerte.cree_le = timezone.now()  # a new 7-day window
        alerte.save(update_fields=["cree_le"])
    courriels.confirmation(alerte)


def confirm(alerte: Alerte) -> None:
    """Confirmed, with today's answer as the starting point of the changes."""
    if alerte.etat == Alerte.Etat.CONFIRMEE:
        return
    result = digest.answer(alerte.recherche)
    alerte.etat = Alerte.Etat.CONFIRMEE
    alerte.confirmee_le = timezone.now()
    alerte.instantane = digest.snapshot(result)
    alerte.save(update_fields=["etat", "confirmee_le", "instantane"])


def is_expired(alerte: Alerte) -> bool:
    return Alerte.objects.expired().filter(pk=alerte.pk).exists()


def purge() -> int:
    """Deletes the requests never confirmed within 7 days."""
    deleted, _ = Alerte.objects.expired().delete()
    return deleted


def send_digests(today=None) -> int:
    """One message per confirmed alert whose search changed since its last message."""
    today = today or timezone.localdate()
    answers = {}  # alerts of the same search share one answer
    sent = 0
    for alerte in Alerte.objects.confirmed().iterator():
        result = answers.get(alerte.recherche)
        if result is None:
            result = answers[alerte.recherche] = digest.answer(alerte.recherche)
        found = digest.changes(alerte.instantane, result, today)
        if not found:
            continue
        url = liens.absolute(reverse("aides:finder") + "?" + alerte.recherche)
        try:
            courriels.digest(alerte, found, url)
        except OSError:
            logger.exception("Alerte %s : envoi impossible, réessayé au prochain envoi", alerte.pk)
            continue
        with transaction.atomic():
            alerte.instantane = digest.next_snapshot(alerte.instantane, result, found)
            alerte.envoyee_le = timezone.now()
            alerte.save(update_fields=["instantane", "envoyee_le"])
        sent += 1
    return sent
