"""Forms of the aid page (amount simulator) and of the agents' admin."""

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from aides.lieux import resolve_commune
from aides.models import ConditionZonage
from aides.montants import SimulationError, simulate
from portal.lib.numbers import euros
from territoires.models import CategorieZone


class SimulateurForm(DsfrBaseForm):
    """Amount of a scale-based aid for a place, measured from a chosen reference commune."""

    faculte = forms.ChoiceField(label="Faculté de rattachement")
    stage = forms.CharField(
        label="Commune du lieu de stage",
        max_length=120,
        help_text="Nom, code postal ou « Nom (code INSEE) ».",
        widget=forms.TextInput(attrs={"list": "communes-suggestions", "autocomplete": "off"}),
    )

    def __init__(self, bareme, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bareme = bareme
        self.origines = {c.code: c for c in bareme.origines.select_related("parent")}
        self.fields["faculte"].choices = [
            (code, commune.nom) for code, commune in sorted(self.origines.items())
        ]
        self.simulation = None
        self.origine = None

    def clean_stage(self):
        return resolve_commune(self.cleaned_data["stage"])

    def clean(self):
        data = super().clean()
        origine = self.origines.get(data.get("faculte"))
        if origine is None or not data.get("stage"):
            return data
        self.origine = origine
        try:
            self.simulation = simulate(self.bareme, origine, data["stage"])
        except SimulationError as exc:
            raise ValidationError(str(exc), code="distance_inconnue") from exc
        if self.simulation.montant is None:
            raise ValidationError(
                "Aucun palier du barème ne couvre une distance de %(km)s km.",
                code="hors_bareme",
                params={"km": self.simulation.distance_arrondie},
            )
        return data

    @property
    def montant(self) -> str:
        return euros(self.simulation.montant) if self.simulation else ""


class ConditionZonageForm(forms.ModelForm):
    """Checks category codes against the categories the loaded zoning acts declare."""

    class Meta:
        model = ConditionZonage
        fields = ["profession", "categories", "departement", "libelle"]

    def clean_categories(self):
        value = self.cleaned_data.get("categories", "")
        codes = [c.strip().lower() for c in value.split(",") if c.strip()]
        known = set(CategorieZone.objects.values_list("code", flat=True))
        unknown = [c for c in codes if known and c not in known]
        if unknown:
            raise ValidationError(
                "Catégorie(s) inconnue(s) : %(unknown)s. Catégories des zonages chargés : "
                "%(known)s.",
                code="categorie_inconnue",
                params={"unknown": ", ".join(unknown), "known": ", ".join(sorted(known))},
            )
        return ", ".join(codes)

    def clean(self):
        data = super().clean()
        if not data.get("categories") and not data.get("departement"):
            raise ValidationError(
                "Indiquez au moins une catégorie de zone ou un département.",
                code="condition_vide",
            )
        return data
