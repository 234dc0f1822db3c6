"""The presets a partner may give the embedded finder: a département, a profession."""

from django import forms
from dsfr.forms import DsfrBaseForm

from territoires.models import Departement, Profession


class IntegrationForm(DsfrBaseForm):
    """Read from the query string of /integrer/ (the snippet) and of the embedded finder."""

    departement = forms.ModelChoiceField(
        label="Département",
        required=False,
        queryset=Departement.objects.order_by("code"),
        to_field_name="code",
        empty_label="Tous les départements",
        error_messages={
            "invalid_choice": "Département inconnu : choisissez un département de la liste "
            "(Île-de-France et Grand Est)."
        },
    )
    profession = forms.ChoiceField(
        label="Profession",
        required=False,
        choices=[("", "Toutes les professions"), *Profession.choices],
        error_messages={
            "invalid_choice": "Profession inconnue : choisissez une profession de la liste."
        },
    )

    def presets(self) -> dict[str, str]:
        """The valid presets as query parameters ({"departement": "93", …})."""
        data = self.cleaned_data
        params = {}
        if data.get("departement"):
            params["departement"] = data["departement"].code
        if data.get("profession"):
            params["profession"] = data["profession"]
        return params
