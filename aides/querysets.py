"""Chainable domain filters on aids (`Aide.objects.published().open_on(d)…`)."""

from django.db import models
from django.db.models import Q

from aides.choices import StatutAide
from aides.fields import MultiChoiceField


class AideQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: published aids and archived (closed) ones, never drafts."""
        return self.filter(statut__in=[StatutAide.PUBLIEE, StatutAide.ARCHIVEE])

    def open_on(self, date):
        """Aids accepting applications on `date` (an archived aid without a closing date is
        closed on every date)."""
        return (
            self.filter(Q(date_ouverture__isnull=True) | Q(date_ouverture__lte=date))
            .filter(Q(date_cloture__isnull=True) | Q(date_cloture__gte=date))
            .exclude(statut=StatutAide.ARCHIVEE, date_cloture__isnull=True)
        )

    def for_profession(self, profession: str):
        """Aids open to `profession` (an aid listing no profession is open to all)."""
        return self.filter(
            Q(professions="") | Q(professions__contains=MultiChoiceField.lookup_value(profession))
        )

    def for_stage(self, etape: str):
        return self.filter(etapes__contains=MultiChoiceField.lookup_value(etape))

    def for_public(self, public: str):
        return self.filter(publics__contains=MultiChoiceField.lookup_value(public))

    def closed_before(self, date):
        """Published aids whose closing date has passed on `date`: the daily pass archives them."""
        return self.filter(statut=StatutAide.PUBLIEE, date_cloture__lt=date)

    def verified_before(self, date):
        """Aids on the public site whose "vérifié le" is older than `date` (or never set)."""
        return self.filter(statut=StatutAide.PUBLIEE).filter(
            Q(verifie_le__isnull=True) | Q(verifie_le__lt=date)
        )


class LienVerifieQuerySet(models.QuerySet):
    def en_erreur(self):
        """Links whose last check did not end on a page that answers (2xx)."""
        return self.exclude(statut="ok")
