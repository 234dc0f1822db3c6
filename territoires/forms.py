"""Territory parameters shared by the pages and the API: `?region=11`."""

from django import forms
from dsfr.forms import DsfrBaseForm

from territoires.models import Region


class RegionForm(DsfrBaseForm):
    """`?region=11`: one région, or none for all (the bilan, the statistics and territories API)."""

    region = forms.ModelChoiceField(
        label="Région",
        queryset=Region.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label="Toutes les régions",
        error_messages={
            "invalid_choice": "Région inconnue : indiquez le code INSEE d'une région (11, 44…)."
        },
    )
