"""Chainable domain queries on structures and supported professionals."""

from django.db import models
from django.db.models import Count, Q, Sum

from structures.access import perimetre_of
from structures.choices import Publication


class LieuQuerySet(models.QuerySet):
    """Shared by both models: each has commune, département, région, flags and publication."""

    def published(self):
        return self.filter(publication=Publication.PUBLIEE)

    def drafts(self):
        return self.filter(publication=Publication.BROUILLON)

    def demonstration(self, value=True):
        return self.filter(demonstration=value)

    def in_regions(self, codes):
        return self.filter(region__code__in=codes)

    def in_departements(self, codes):
        return self.filter(departement__code__in=codes)

    def en_qpv(self):
        return self.filter(en_qpv=True)

    def en_zone_rurale(self):
        return self.filter(en_zone_rurale=True)

    def with_point(self):
        return self.filter(latitude__isnull=False, longitude__isnull=False)

    def without_point(self):
        return self.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))

    def for_user(self, user):
        """Rows inside the user's scope (région or départements of its agent profile)."""
        perimetre = perimetre_of(user)
        if perimetre.vide:
            return self.none()
        return self.filter(perimetre.q())

    def with_refs(self):
        return self.select_related("commune", "departement", "region")


class StructureQuerySet(LieuQuerySet):
    def of_kind(self, *kinds):
        return self.filter(type__in=kinds)

    def decided_in(self, year):
        return self.filter(date_decision__year=year)

    def totals(self):
        """Number of structures and total amount granted (None when nothing is known)."""
        return self.aggregate(nombre=Count("pk"), montant=Sum("montant_accorde"))


class ProfessionnelSoutenuQuerySet(LieuQuerySet):
    """Personal data: the public side only ever reads the aggregates below."""

    def _aggregate(self, *keys):
        return (
            self.order_by()
            .values(*keys)
            .annotate(nombre=Count("pk"), montant=Sum("montant"))
            .order_by(*keys)
        )

    def par_commune(self):
        return self._aggregate("commune__code", "commune__nom", "profession")

    def par_departement(self):
        return self._aggregate("departement__code", "profession")

    def par_profession(self):
        return self._aggregate("profession")

    def par_annee(self):
        return self._aggregate("annee")
