"""The form sending a finder result by e-mail: one address, never kept."""

from django import forms
from dsfr.forms import DsfrBaseForm


class CourrielForm(DsfrBaseForm):
    courriel = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        help_text="Format attendu : nom@domaine.fr. L'adresse sert à cet envoi et n'est pas "
        "conservée.",
        error_messages={
            "required": "Indiquez l'adresse électronique à laquelle envoyer la liste.",
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr.",
            "max_length": "Cette adresse électronique est trop longue.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def clean_courriel(self):
        return self.cleaned_data["courriel"].strip()
