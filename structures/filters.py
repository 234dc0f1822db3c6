"""Input of the public maps, bilan and open data: one FilterSet, shareable GET URLs.

The same filters serve the map pages, the CSV/GeoJSON downloads and `/api/v1/structures`,
so a filtered map can be downloaded as it is shown. Invalid values are reported in French
(and answered with a 400) rather than silently ignored.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from aides.choices import TypeStructure
from structures.choices import Statut
from structures.models import Structure
from territoires.models import Departement, Region

YEAR_RANGE = (2000, 2100)
OUI_NON = [("oui", "Oui"), ("non", "Non")]
MESURES = {
    "nombre": "Nombre de structures",
    "taux": "Structures pour 100 000 habitants",
}


class StructureFilterForm(DsfrBaseForm):
    def clean(self):
        data = super().clean()
        debut, fin = data.get("annee_min"), data.get("annee_max")
        if debut and fin and debut > fin:
            raise ValidationError(
                "L'année de début est postérieure à l'année de fin.", code="annees_inversees"
            )
        return data


def _yes_no(queryset, field_name, value):
    if value in ("oui", "non"):
        return queryset.filter(**{field_name: value == "oui"})
    return queryset


class StructureFilter(django_filters.FilterSet):
    """Kind, status and year of decision: the filters of the map pages."""

    type = django_filters.MultipleChoiceFilter(
        label="Type de structure",
        choices=TypeStructure.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    statut = django_filters.MultipleChoiceFilter(
        label="Statut", choices=Statut.choices, widget=forms.CheckboxSelectMultiple
    )
    annee_min = django_filters.NumberFilter(
        label="Décidée à partir de (année)",
        field_name="date_decision",
        lookup_expr="year__gte",
        min_value=YEAR_RANGE[0],
        max_value=YEAR_RANGE[1],
    )
    annee_max = django_filters.NumberFilter(
        label="Décidée jusqu'à (année incluse)",
        field_name="date_decision",
        lookup_expr="year__lte",
        min_value=YEAR_RANGE[0],
        max_value=YEAR_RANGE[1],
    )

    class Meta:
        model = Structure
        fields = ["type", "statut", "annee_min", "annee_max"]
        form = StructureFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("annee_min", "annee_max"):
            self.form.fields[name].widget.attrs.update({"inputmode": "numeric"})
            self.form.fields[name].error_messages["invalid"] = "Saisissez une année (ex. 2021)."

    @property
    def actifs(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.form.fields)


class OpenDataStructureFilter(StructureFilter):
    """Map filters plus territory and location flags, for downloads and the API."""

    region = django_filters.ModelChoiceFilter(
        label="Région", to_field_name="code", queryset=Region.objects.all()
    )
    departement = django_filters.ModelChoiceFilter(
        label="Département", to_field_name="code", queryset=Departement.objects.all()
    )
    commune = django_filters.CharFilter(
        label="Commune (code INSEE)", field_name="commune__code", max_length=5
    )
    qpv = django_filters.ChoiceFilter(
        label="En quartier prioritaire", choices=OUI_NON, field_name="en_qpv", method=_yes_no
    )
    rurale = django_filters.ChoiceFilter(
        label="En zone rurale", choices=OUI_NON, field_name="en_zone_rurale", method=_yes_no
    )

    class Meta(StructureFilter.Meta):
        fields = [*StructureFilter.Meta.fields, "region", "departement", "commune", "qpv", "rurale"]


class CarteForm(DsfrBaseForm):
    """The régional map: which région, and what the départements' colour measures."""

    region = forms.ModelChoiceField(
        label="Région",
        queryset=Region.objects.order_by("code"),
        to_field_name="code",
        empty_label=None,
        error_messages={"invalid_choice": "Région inconnue : choisissez une région de la liste."},
    )
    mesure = forms.ChoiceField(
        label="Couleur des départements",
        choices=list(MESURES.items()),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Mesure inconnue : « nombre » ou « taux »."},
    )


PAGE_SIZE, PAGE_SIZE_MAX = 100, 1000


class PageForm(forms.Form):
    """`?page=` and `?par_page=` of `/api/v1/structures`: a page beyond the last is refused
    (400) rather than answered empty, so a client walking `suivant` links cannot miss it."""

    page = forms.IntegerField(
        label="Page",
        min_value=1,
        required=False,
        error_messages={
            "invalid": "Numéro de page entier attendu (1, 2…).",
            "min_value": "Numéro de page entier attendu (1, 2…).",
        },
    )
    par_page = forms.IntegerField(
        label="Structures par page",
        min_value=1,
        max_value=PAGE_SIZE_MAX,
        required=False,
        error_messages={
            "invalid": f"Nombre entier de 1 à {PAGE_SIZE_MAX} attendu.",
            "min_value": f"Nombre entier de 1 à {PAGE_SIZE_MAX} attendu.",
            "max_value": f"Nombre entier de 1 à {PAGE_SIZE_MAX} attendu.",
        },
    )

    def cleaned_page(self) -> tuple[int, int]:
        """(page number, page size) once valid."""
        return self.cleaned_data["page"] or 1, self.cleaned_data["par_page"] or PAGE_SIZE
