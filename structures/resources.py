"""Spreadsheet import/export (CSV, XLSX) of structures and professionals.

An import is all-or-nothing (one transaction, previewed by a dry run in the admin) and
scoped: a row whose commune — or whose existing dossier — lies outside the agent's
départements is rejected with a French message, like any other invalid row.
Rows are matched on the dossier number, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export.fields import Field

from aides.choices import TypeStructure
from aides.models import Aide
from structures.choices import Publication, Situation, Statut
from structures.import_widgets import (
    ChoiceWidget,
    CommuneWidget,
    CoordonneeWidget,
    DateWidget,
    EntierWidget,
    MontantWidget,
    OuiNonWidget,
    RegionWidget,
    SlugListWidget,
    SlugWidget,
    TexteWidget,
)
from structures.models import PresenceProfessionnelle, ProfessionnelSoutenu, Structure
from structures.resource_base import (
    IDENTIFIANT,
    REFERENCE,
    ReferenceLoader,
    ScopedResource,
    export_only,
)
from territoires.models import Profession, Region


class LieuResource(ScopedResource):
    """Columns both spreadsheets export: where the record is and what that place is."""

    commune_nom = export_only("Commune", dehydrate="dehydrate_commune_nom")
    departement = export_only("Département", dehydrate="dehydrate_departement")
    en_qpv = export_only("En QPV", "en_qpv", OuiNonWidget())
    qpv_code = export_only("Code QPV", "qpv_code")
    en_zone_rurale = export_only("En zone rurale", "en_zone_rurale", OuiNonWidget())
    publication = export_only("Publication", "publication", ChoiceWidget(Publication))
    demonstration = export_only("Démonstration", "demonstration", OuiNonWidget())
    # Matches a record without dossier number when its export is imported back.
    identifiant = export_only(IDENTIFIANT, "pk")


class StructureResource(LieuResource):
    _aides_in_file = True
    _regions = None

    required_columns = (REFERENCE, "Type", "Nom", "Code commune")
    # The preview compares each row with the stored dossier, relations included.
    prefetch_on_load = ("aides", "presences")

    reference = Field("reference", REFERENCE, widget=TexteWidget())
    type = Field("type", "Type", widget=ChoiceWidget(TypeStructure))
    nom = Field("nom", "Nom", widget=TexteWidget())
    adresse = Field("adresse", "Adresse", widget=TexteWidget())
    commune = Field("commune", "Code commune", widget=CommuneWidget())
    region = Field("region", "Région", widget=RegionWidget(), dehydrate_method="dehydrate_region")
    latitude = Field("latitude", "Latitude", widget=CoordonneeWidget())
    longitude = Field("longitude", "Longitude", widget=CoordonneeWidget())
    aides = Field(
        "aides",
        "Aides",
        widget=SlugListWidget(Aide, field="slug", separator=","),
        dehydrate_method="dehydrate_aides",
    )
    montant_accorde = Field("montant_accorde", "Montant accordé (€)", widget=MontantWidget())
    date_decision = Field("date_decision", "Date de décision", widget=DateWidget())
    statut = Field("statut", "Statut", widget=ChoiceWidget(Statut, default=Statut.FINANCE))
    # Imported by import_instance (a related model), exported by dehydrate_presences.
    presences = Field(column_name="Professionnels présents", dehydrate_method="dehydrate_presences")

    class Meta:
        model = Structure
        import_id_fields = ["reference"]
        instance_loader_class = ReferenceLoader
        fields = (
            "reference",
            "type",
            "nom",
            "adresse",
            "commune",
            "region",
            "latitude",
            "longitude",
            "aides",
            "montant_accorde",
            "date_decision",
            "statut",
            "presences",
            "commune_nom",
            "departement",
            "en_qpv",
            "qpv_code",
            "en_zone_rurale",
            "publication",
            "demonstration",
            "identifiant",
        )
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "Professionnels présents" in row:
            try:
                instance.presences_importees = parse_presences(row["Professionnels présents"])
            except ValueError as exc:
                errors["presences_importees"] = [ValidationError(str(exc), code="invalid")]
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        wanted = getattr(instance, "presences_importees", None)
        if wanted is not None and instance.pk and wanted != current_presences(instance):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        wanted = getattr(instance, "presences_importees", None)
        if wanted is None or instance.pk is None:
            return
        current = {} if instance._nouveau else {p.profession: p for p in instance.presences.all()}
        for profession, presence in current.items():
            if profession not in wanted:
                presence.delete()
        for profession, nombre in wanted.items():
            presence = current.get(profession)
            if presence is None:
                PresenceProfessionnelle.objects.create(
                    structure=instance, profession=profession, nombre=nombre
                )
            elif presence.nombre != nombre:
                presence.nombre = nombre
                presence.save(update_fields=["nombre"])

    def filter_export(self, queryset, **kwargs):
        return super().filter_export(queryset).prefetch_related("aides", "presences")

    def dehydrate_region(self, obj):
        if self._regions is None:
            self._regions = dict(Region.objects.values_list("pk", "code"))
        return self._regions.get(obj.region_id, "")

    def dehydrate_presences(self, obj):
        if getattr(obj, "_nouveau", False):
            return format_presences(getattr(obj, "presences_importees", None) or {})
        return format_presences(current_presences(obj)) if obj.pk else ""

    def dehydrate_aides(self, obj):
        if obj.pk is None or (getattr(obj, "_nouveau", False) and not self._aides_in_file):
            return ""
        return ", ".join(sorted(a.slug for a in obj.aides.all()))

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._aides_in_file = "Aides" in (dataset.headers or [])


_PROFESSIONS = ChoiceWidget(Profession)


def parse_presences(value) -> dict[str, int]:
    """ "Médecin généraliste : 3 ; infirmier : 2" (labels or slugs) → {slug: count}."""
    result: dict[str, int] = {}
    text = "" if value is None else str(value)
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, sep, count = part.rpartition(":")
        if not sep:
            raise ValueError(f"« {part} » : écrivez « profession : nombre », séparés par « ; ».")
        profession = _PROFESSIONS.clean(name.strip())
        number = EntierWidget().clean(count.strip())
        if number is None or number < 1:
            raise ValueError(f"« {part} » : le nombre doit être un entier positif.")
        result[profession] = number
    return result


def current_presences(structure) -> dict[str, int]:
    return {p.profession: p.nombre for p in structure.presences.all()}


def format_presences(presences: dict[str, int]) -> str:
    return " ; ".join(f"{Profession(slug).label} : {n}" for slug, n in sorted(presences.items()))


class ProfessionnelResource(LieuResource):
    required_columns = (REFERENCE, "Profession", "Code commune", "Année")

    reference = Field("reference", REFERENCE, widget=TexteWidget())
    nom = Field("nom", "Nom et prénom", widget=TexteWidget())
    profession = Field("profession", "Profession", widget=ChoiceWidget(Profession))
    situation = Field(
        "situation", "Situation", widget=ChoiceWidget(Situation, default=Situation.INSTALLE)
    )
    commune = Field("commune", "Code commune", widget=CommuneWidget())
    adresse_exercice = Field("adresse_exercice", "Adresse d'exercice", widget=TexteWidget())
    latitude = Field("latitude", "Latitude", widget=CoordonneeWidget())
    longitude = Field("longitude", "Longitude", widget=CoordonneeWidget())
    aide = Field("aide", "Aide", widget=SlugWidget(Aide, field="slug"))
    montant = Field("montant", "Montant (€)", widget=MontantWidget())
    annee = Field("annee", "Année", widget=EntierWidget())
    date_decision = Field("date_decision", "Date de décision", widget=DateWidget())

    class Meta:
        model = ProfessionnelSoutenu
        import_id_fields = ["reference"]
        instance_loader_class = ReferenceLoader
        fields = (
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
            "commune_nom",
            "departement",
            "en_qpv",
            "qpv_code",
            "en_zone_rurale",
            "publication",
            "demonstration",
            "identifiant",
        )
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def filter_export(self, queryset, **kwargs):
        return super().filter_export(queryset).select_related("aide")
