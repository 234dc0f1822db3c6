"""The alert forms: « Me prévenir » (an address for a finder search), and the request of a
link deleting every alert of an address."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from dsfr.forms import DsfrBaseForm

from aides.alertes import digest
from aides.alertes.models import normalize_email

EMAIL_HELP = "Format attendu : nom@domaine.fr"


class EmailForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Votre adresse électronique",
        max_length=254,
        help_text=EMAIL_HELP,
        error_messages={
            "required": "Indiquez votre adresse électronique.",
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])


class AlerteForm(EmailForm):
    """`recherche` is the finder's query string; it must name a place the finder knows."""

    recherche = forms.CharField(widget=forms.HiddenInput, max_length=2000, required=False)

    def clean_recherche(self):
        result = digest.answer(QueryDict(self.cleaned_data.get("recherche", "")).urlencode())
        if result.lieu.commune is None:
            raise ValidationError(
                "Cette recherche n'indique pas de commune connue : choisissez d'abord une "
                "commune (ou un point) dans « Trouver une aide », puis « Me prévenir ».",
                code="sans_lieu",
            )
        self.resultat = result
        return digest.recherche_of(result)
