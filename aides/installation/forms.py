"""The query string of « Où m'installer ? »: the finder's profile fields and a territory."""

from __future__ import annotations

import copy

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from dsfr.forms import DsfrBaseForm

from aides.filters import AideFilterSet
from territoires.models import Departement, Region, means_all_regions

SORTS = {
    "aides": "Nombre d'aides (le plus élevé d'abord)",
    "montant": "Montant cumulé connu (le plus élevé d'abord)",
    "nom": "Nom de la commune (A à Z)",
}
# What the form reads; anything else in the query string is refused (shareable URLs stay clean).
PARAMS = ("profession", "etape", "public", "region", "departement", "tri", "page", "format")
PROFILE = ("profession", "etape", "public")


def _finder_field(name: str, **changes) -> forms.Field:
    """The finder's own field (label, choices), so both pages offer the same profiles."""
    field = copy.deepcopy(AideFilterSet.base_filters[name].field)
    for key, value in changes.items():
        setattr(field, key, value)
    return field


def _departements():
    """The départements offered, with their régions (1 query)."""
    queryset = Departement.objects.select_related("region").order_by("code")
    if means_all_regions(settings.DEFAULT_REGIONS):
        return queryset
    return queryset.filter(region__code__in=settings.DEFAULT_REGIONS)


def _required_profession() -> forms.Field:
    field = _finder_field("profession", required=True)
    field.error_messages.update(
        required="Choisissez une profession.",
        invalid_choice="Profession inconnue : choisissez dans la liste.",
    )
    return field


def _optional(name: str) -> forms.Field:
    field = _finder_field(name)
    field.error_messages["invalid_choice"] = "Valeur inconnue : choisissez dans la liste."
    return field


class OuMInstallerForm(DsfrBaseForm):
    profession = _required_profession()
    etape = _optional("etape")
    public = _optional("public")
    region = forms.ChoiceField(
        label="Région",
        required=False,
        error_messages={"invalid_choice": "Région inconnue : choisissez dans la liste."},
    )
    departement = forms.ChoiceField(
        label="Département",
        required=False,
        error_messages={"invalid_choice": "Département inconnu : choisissez dans la liste."},
    )
    tri = forms.ChoiceField(
        label="Trier par",
        required=False,
        choices=list(SORTS.items()),
        error_messages={"invalid_choice": "Tri inconnu : choisissez dans la liste."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "Numéro de page invalide.",
            "min_value": "Numéro de page invalide.",
        },
    )
    format = forms.ChoiceField(
        required=False,
        choices=[("", "page"), ("csv", "CSV")],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Format inconnu : seul « csv » est proposé."},
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.unknown = sorted(set(data or ()) - set(PARAMS))
        self.departements = {d.code: d for d in _departements()}
        regions = {d.region.code: d.region for d in self.departements.values()}
        self.regions = dict(sorted(regions.items()))
        self.fields["region"].choices = [
            ("", "Toutes les régions"),
            *((code, r.nom) for code, r in self.regions.items()),
        ]
        self.fields["departement"].choices = [
            ("", "Tous les départements"),
            *((code, f"{d.nom} ({code})") for code, d in self.departements.items()),
        ]

    def clean(self):
        data = super().clean()
        if self.unknown:
            names = ", ".join(f"« {name[:40]} »" for name in self.unknown[:5])
            raise ValidationError(
                "Paramètre(s) inconnu(s) : %(names)s. Retirez-les de l'adresse.",
                code="parametre_inconnu",
                params={"names": names},
            )
        region, departement = data.get("region"), data.get("departement")
        if region and departement:
            dep = self.departements[departement]
            if dep.region_id != self.regions[region].pk:
                raise ValidationError(
                    "Ce département n'est pas dans la région choisie : retirez l'un des deux.",
                    code="territoire_incoherent",
                )
        return data

    @property
    def chosen_region(self) -> Region | None:
        return self.regions.get(self.cleaned_data.get("region") or "")

    @property
    def chosen_departement(self) -> Departement | None:
        return self.departements.get(self.cleaned_data.get("departement") or "")

    @property
    def chosen_tri(self) -> str:
        return self.cleaned_data.get("tri") or "aides"

    def finder_params(self) -> QueryDict:
        """The profile as the finder reads it (its own search runs the aids' filters)."""
        params = QueryDict(mutable=True)
        for name in PROFILE:
            if self.cleaned_data.get(name):
                params[name] = self.cleaned_data[name]
        return params
