"""Alerts without an account: an e-mail address and a finder search (place, profession,
filters), confirmed by a link (double opt-in), with the last answer sent to compute changes.

Registered by `aides.models` (the app's models module imports this one).
"""

import datetime as dt
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

# Unconfirmed requests are deleted after this (send_alert_digests purges them).
EXPIRATION = dt.timedelta(days=7)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class AlerteQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(etat=Alerte.Etat.EN_ATTENTE)

    def confirmed(self):
        return self.filter(etat=Alerte.Etat.CONFIRMEE)

    def expired(self, now=None):
        """Requests never confirmed within EXPIRATION."""
        now = now or timezone.now()
        return self.pending().filter(cree_le__lt=now - EXPIRATION)

    def of_address(self, email: str):
        return self.filter(email=normalize_email(email))


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


class Alerte(models.Model):
    class Etat(models.TextChoices):
        EN_ATTENTE = "en-attente", "En attente de confirmation"
        CONFIRMEE = "confirmee", "Confirmée"

    email = models.EmailField("adresse électronique", max_length=254)
    # The finder's query string, cleaned: place, profession and filters (no date, no page).
    recherche = models.CharField("recherche", max_length=1000)
    libelle = models.CharField("intitulé", max_length=300)
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.EN_ATTENTE)
    # Random, never shown as is: links carry it signed (aides.alertes.liens).
    jeton = models.CharField("jeton", max_length=64, unique=True, default=new_token)
    cree_le = models.DateTimeField("demandée le", default=timezone.now)
    confirmee_le = models.DateTimeField("confirmée le", null=True, blank=True)
    envoyee_le = models.DateTimeField("dernier envoi le", null=True, blank=True)
    # The last answer sent: {"aides": [ids], "zones": [labels], "fermetures": [ids announced]}.
    instantane = models.JSONField("dernière réponse", default=dict, blank=True)

    objects = AlerteQuerySet.as_manager()

    class Meta:
        verbose_name = "alerte"
        verbose_name_plural = "alertes"
        ordering = ["cree_le"]
        constraints = [
            # One alert per address and search: asking again re-sends the confirmation.
            models.UniqueConstraint(fields=["email", "recherche"], name="alerte_email_recherche"),
            models.CheckConstraint(
                condition=Q(etat="en-attente") | Q(confirmee_le__isnull=False),
                name="alerte_confirmee_datee",
            ),
        ]
        indexes = [
            # expired(): the purge of unconfirmed requests, and confirmed() for the digests.
            models.Index(fields=["etat", "cree_le"], name="alerte_etat_cree_idx"),
        ]

    def __str__(self):
        return self.libelle
