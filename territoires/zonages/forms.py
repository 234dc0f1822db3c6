"""Query-string forms of the public zonings page (GET: every result has a shareable URL)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from territoires.models import Departement, Profession, ZonageKind, means_all_regions
from territoires.resolver import Outcome, resolve

# What the map can show: one profession's ARS zoning, or a zoning without profession.
CHOIX_ZONAGE = [
    *Profession.choices,
    (ZonageKind.QPV.value, "Quartiers prioritaires de la politique de la ville (QPV)"),
    (ZonageKind.RURAL.value, "Zones rurales (France Ruralités Revitalisation)"),
]
MAX_CANDIDATES = 10


def departements():
    departements = Departement.objects.order_by("code")
    if means_all_regions(settings.DEFAULT_REGIONS):
        return departements  # PORTAL_REGIONS=all
    return departements.filter(region__code__in=settings.DEFAULT_REGIONS)


class ZonageCarteForm(DsfrBaseForm):
    profession = forms.ChoiceField(
        label="Profession ou zonage",
        choices=[("", "Choisir"), *CHOIX_ZONAGE],
        error_messages={
            "invalid_choice": "Profession ou zonage inconnu : choisissez dans la liste.",
            "required": "Choisissez une profession ou un zonage.",
        },
    )
    departement = forms.ChoiceField(
        label="Département",
        choices=(),
        error_messages={
            "invalid_choice": "Département inconnu : choisissez dans la liste.",
            "required": "Choisissez un département.",
        },
    )

    date = forms.DateField(
        label="À la date du",
        required=False,
        help_text="Facultatif (par défaut : aujourd'hui), pour voir un zonage passé.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Date invalide : utilisez le format AAAA-MM-JJ."},
    )

    def __init__(self, *args, departements_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Choisir"), *departements_choices]

    @property
    def kind(self) -> str:
        value = self.cleaned_data["profession"]
        return value if value in (ZonageKind.QPV, ZonageKind.RURAL) else ZonageKind.ARS


class AdresseForm(DsfrBaseForm):
    """ "À cette adresse": a commune by INSEE code, postal code or name (no JS needed)."""

    lieu = forms.CharField(
        label="Commune ou code postal",
        max_length=100,
        widget=forms.TextInput(
            attrs={"list": "communes-suggestions-zonages", "autocomplete": "off"}
        ),
        help_text="Par exemple « Provins », « 93200 » ou un code INSEE.",
        error_messages={"required": "Indiquez une commune ou un code postal."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = []

    def clean_lieu(self):
        value = self.cleaned_data["lieu"].strip()
        resolution = resolve(value)
        if resolution.found:
            return resolution.commune
        if resolution.outcome is Outcome.UNKNOWN:
            raise ValidationError(
                "Aucune commune d'Île-de-France ou du Grand Est ne correspond à « %(value)s ».",
                code="introuvable",
                params={"value": value},
            )
        self.candidates = resolution.candidates[:MAX_CANDIDATES]
        if resolution.outcome is Outcome.APPROXIMATE:
            message = "Aucune commune ne s'appelle exactement « %(value)s »"
        else:
            message = "Plusieurs communes correspondent à « %(value)s »"
        # Answered with a choice, not an error (the view keeps a 200 for "ambigu").
        raise ValidationError(
            message + " : choisissez-en une ci-dessous.", code="ambigu", params={"value": value}
        )
