"""Admin forms: commune choices narrowed to the agent's scope, point placed on a map."""

from django import forms
from django.core.exceptions import ValidationError

from structures.access import perimetre_of
from structures.models import ProfessionnelSoutenu, Structure
from structures.validation import locate
from structures.widgets import PointMapWidget
from territoires.models import Commune, Contour, Region


class LieuAdminForm(forms.ModelForm):
    """Base of both forms; `user` is set by the admin (ScopedAdmin.get_form)."""

    user = None
    carte = forms.CharField(
        label="Emplacement sur la carte", required=False, widget=PointMapWidget()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.perimetre = perimetre_of(self.user)
        if "commune" in self.fields:
            # Server-side: a commune outside the scope is not a valid choice at all.
            self.fields["commune"].queryset = Commune.objects.filter(self.perimetre.q())
        if "region" in self.fields:
            self.fields["region"].required = False
            if not self.perimetre.regional:
                # A departmental agent records nothing region-wide: the région follows the commune.
                self.fields["region"].disabled = True
            elif not self.perimetre.tout:
                self.fields["region"].queryset = Region.objects.filter(
                    pk__in=self.perimetre.regions
                )

        commune = self.instance.commune if self.instance.commune_id else None
        if commune is not None:
            # The commune's outline on the map: useful even when no tile can be loaded.
            contour = (
                Contour.objects.filter(niveau=Contour.Niveau.COMMUNE, code=commune.code)
                .values_list("geometrie", flat=True)
                .first()
            )
            self.fields["carte"].widget.contour = contour

    def clean(self):
        cleaned = super().clean()
        commune = cleaned.get("commune")
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        if commune is None and lat is not None and lon is not None and "commune" in self.fields:
            found = locate(lat, lon)
            if found is not None and self.perimetre.couvre_commune(found):
                commune = cleaned["commune"] = found
                self.instance.commune = found
        if commune is not None:
            if not self.perimetre.couvre_commune(commune):
                self.add_error(
                    "commune",
                    ValidationError(
                        f"{commune.nom} est hors de votre périmètre.", code="hors_perimetre"
                    ),
                )
            elif "region" in self.fields:
                cleaned["region"] = commune.region
        elif "region" in self.fields and not self.has_error("commune"):
            region = cleaned.get("region")
            if region is None:
                self.add_error(
                    "commune",
                    ValidationError(
                        "Indiquez la commune (ou, pour un réseau régional, la région).",
                        code="lieu_manquant",
                    ),
                )
            elif not (
                self.perimetre.regional
                and self.perimetre.couvre(region_id=region.pk, departement_id=None)
            ):
                self.add_error(
                    "region",
                    ValidationError(
                        "Seul un agent de la région peut enregistrer une structure sans commune.",
                        code="hors_perimetre",
                    ),
                )
        return cleaned


class StructureAdminForm(LieuAdminForm):
    class Meta:
        model = Structure
        fields = [
            "reference",
            "type",
            "nom",
            "statut",
            "adresse",
            "commune",
            "region",
            "latitude",
            "longitude",
            "aides",
            "montant_accorde",
            "date_decision",
            "publication",
            "demonstration",
        ]


class ProfessionnelAdminForm(LieuAdminForm):
    class Meta:
        model = ProfessionnelSoutenu
        # No région: it follows the commune, which a professional always has.
        fields = [
            "reference",
            "nom",
            "profession",
            "situation",
            "commune",
            "adresse_exercice",
            "latitude",
            "longitude",
            "aide",
            "montant",
            "annee",
            "date_decision",
            "publication",
            "demonstration",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].required = True

    def _post_clean(self):
        # The région is not asked: it follows the commune (required for a professional).
        commune = self.cleaned_data.get("commune")
        if commune is not None:
            self.instance.region_id = commune.region_id
        super()._post_clean()
