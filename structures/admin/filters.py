"""List filters whose choices come from the agent's own scope (one query each)."""

import re

from django.contrib import admin

from structures.access import perimetre_of
from territoires.models import Departement

SANS_DEPARTEMENT = "aucun"
DEPARTEMENT_CODE = re.compile(r"[0-9][0-9AB][0-9]?")


def _year(value) -> int | None:
    """A plausible year from the query string; anything else (93066, 1e9…) is no year."""
    if value and value.isdigit() and 1900 <= int(value) <= 2100:
        return int(value)
    return None


class DepartementFilter(admin.SimpleListFilter):
    title = "département"
    parameter_name = "departement"

    def lookups(self, request, model_admin):
        perimetre = perimetre_of(request.user)
        deps = Departement.objects.order_by("code")
        if perimetre.departements:
            deps = deps.filter(pk__in=perimetre.departements)
        elif perimetre.regions:
            deps = deps.filter(region_id__in=perimetre.regions)
        choices = [(d.code, f"{d.code} – {d.nom}") for d in deps]
        if perimetre.regional:
            choices.append((SANS_DEPARTEMENT, "Sans département (réseau régional)"))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == SANS_DEPARTEMENT:
            return queryset.filter(departement__isnull=True)
        if DEPARTEMENT_CODE.fullmatch(value):
            return queryset.filter(departement__code=value)
        return queryset.none()  # not a code (and never sent to the database as is)


class AnneeDecisionFilter(admin.SimpleListFilter):
    title = "année de décision"
    parameter_name = "annee"

    def lookups(self, request, model_admin):
        dates = model_admin.get_queryset(request).order_by().dates("date_decision", "year")
        return [(str(d.year), str(d.year)) for d in reversed(dates)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        year = _year(self.value())
        return queryset.filter(date_decision__year=year) if year else queryset.none()


class AnneeFilter(admin.SimpleListFilter):
    title = "année"
    parameter_name = "annee"

    def lookups(self, request, model_admin):
        years = (
            model_admin.get_queryset(request)
            .order_by("-annee")
            .values_list("annee", flat=True)
            .distinct()
        )
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        year = _year(self.value())
        return queryset.filter(annee=year) if year else queryset.none()


class ZoneFilter(admin.SimpleListFilter):
    title = "zone"
    parameter_name = "zone"

    def lookups(self, request, model_admin):
        return [
            ("qpv", "En quartier prioritaire (QPV)"),
            ("rurale", "En zone rurale"),
            ("aucune", "Ni QPV ni zone rurale"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "qpv":
                return queryset.filter(en_qpv=True)
            case "rurale":
                return queryset.filter(en_zone_rurale=True)
            case "aucune":
                return queryset.filter(en_qpv=False, en_zone_rurale=False)
        return queryset


class ProblemeFilter(admin.SimpleListFilter):
    title = "à vérifier"
    parameter_name = "probleme"

    def lookups(self, request, model_admin):
        return [
            ("sans-point", "Sans point sur la carte"),
            ("hors-commune", "Point hors de la commune"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "sans-point":
                # A region-wide network without commune has no single place: not a problem.
                return queryset.without_point().filter(commune__isnull=False)
            case "hors-commune":
                return queryset.filter(point_hors_commune=True)
        return queryset
