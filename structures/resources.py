"""Spreadsheet import/export (CSV, XLSX) of structures and professionals.

An import is all-or-nothing (one transaction, previewed by a dry run in the admin) and
scoped: a row whose commune — or whose existing dossier — lies outside the agent's
départements is rejected with a French message, like any other invalid row.
Rows are matched on the dossier number, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader
from import_export.resources import Diff

from aides.choices import TypeStructure
from aides.models import Aide
from territoires.models import Profession, Region

from .access import perimetre_of
from .choices import Publication, Situation, Statut
from .import_widgets import (
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
from .models import PresenceProfessionnelle, ProfessionnelSoutenu, Structure

REFERENCE = "Numéro de dossier"
CHANGE_REASON = "Import de fichier"


class ExportDiff(Diff):
    """The preview's diff, read through the resource's dehydrate methods (no query per row)."""

    def __init__(self, resource, instance, new):  # no super(): it would read the values twice
        self.left = self._values(resource, instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = self._values(resource, instance)

    @staticmethod
    def _values(resource, instance):
        if instance is None:
            return []
        return [resource.export_field(f, instance) for f in resource.get_import_fields()]


class ReferenceLoader(BaseInstanceLoader):
    """Loads every dossier named in the file in one query, whatever the agent's scope.

    Looking outside the scope is what lets a row naming another département's dossier be
    refused with a clear message, instead of being mistaken for a new dossier.
    """

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        refs = set()
        if dataset is not None and dataset.headers and REFERENCE in dataset.headers:
            widget = TexteWidget()
            refs = {widget.clean(value) for value in dataset[REFERENCE]} - {""}
        model = resource._meta.model
        self.instances = {
            obj.reference: obj
            for obj in model.objects.select_related("commune__parent", "departement", "region")
            .prefetch_related(*resource.prefetch_on_load)
            .filter(reference__in=refs)
        }

    def get_instance(self, row):
        reference = TexteWidget().clean(row.get(REFERENCE))
        obj = self.instances.get(reference) if reference else None
        if obj is not None and not self.resource.perimetre.couvre(
            region_id=obj.region_id, departement_id=obj.departement_id
        ):
            raise ValidationError(
                {
                    REFERENCE: ValidationError(
                        f"Le dossier « {reference} » existe déjà et relève d'un territoire "
                        "hors de votre périmètre : vous ne pouvez pas le modifier.",
                        code="hors_perimetre",
                    )
                }
            )
        return obj


class ScopedResource(resources.ModelResource):
    required_columns: tuple[str, ...] = ()
    prefetch_on_load: tuple[str, ...] = ()

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.perimetre = perimetre_of(user)
        self._seen: dict[str, int] = {}

    def before_import(self, dataset, **kwargs):
        if kwargs.get("user") is not None:
            self.user = kwargs["user"]
            self.perimetre = perimetre_of(self.user)
        if dataset.headers:
            dataset.headers = [str(h or "").strip() for h in dataset.headers]
        if self.perimetre.vide:
            dataset.wipe()
            raise ValueError(
                "Votre compte n'a pas de périmètre (région ou départements) : "
                "demandez à un administrateur de le définir."
            )
        if "Code commune" in (dataset.headers or []):
            self.fields["commune"].widget.prefetch(dataset["Code commune"])
        missing = [c for c in self.required_columns if c not in (dataset.headers or [])]
        if missing:
            dataset.wipe()
            raise ValueError(
                "Colonnes manquantes : "
                + ", ".join(f"« {c} »" for c in missing)
                + ". Partez d'un export : il a les bons en-têtes."
            )

    def before_import_row(self, row, **kwargs):
        reference = TexteWidget().clean(row.get(REFERENCE))
        if not reference:
            raise ValidationError(
                {
                    REFERENCE: ValidationError(
                        "Numéro de dossier obligatoire : "
                        "il identifie la ligne lors des imports suivants.",
                        code="reference_manquante",
                    )
                }
            )
        first = self._seen.setdefault(reference, kwargs.get("row_number", 0))
        if first != kwargs.get("row_number", 0):
            raise ValidationError(
                {
                    REFERENCE: ValidationError(
                        f"Le dossier « {reference} » apparaît déjà ligne {first}.", code="doublon"
                    )
                }
            )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.commune_id:
            instance.sync_territoire()  # the région follows the commune, as on save
        try:
            # Check constraints are enforced by the database; Django would check each with a
            # query per row. Uniqueness of the dossier number is handled by the loader.
            # Foreign keys come from the widgets, read from the database: checking again that
            # they exist would cost a query each per row.
            exclude = {*errors.keys(), "commune", "departement", "region", "aide"}
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if not errors:
            self._check_scope(instance, errors)
        if errors:
            raise ValidationError(self._by_column(errors))

    def _check_scope(self, instance, errors):
        commune = instance.commune if instance.commune_id else None
        if commune is not None:
            if not self.perimetre.couvre_commune(commune):
                errors["commune"] = [
                    ValidationError(
                        f"{commune.nom} ({commune.code}) est hors de votre périmètre.",
                        code="hors_perimetre",
                    )
                ]
        elif not (
            self.perimetre.regional
            and self.perimetre.couvre(region_id=instance.region_id, departement_id=None)
        ):
            errors["commune"] = [
                ValidationError(
                    "Seul un agent de la région peut enregistrer un dossier sans commune.",
                    code="hors_perimetre",
                )
            ]

    def _by_column(self, errors):
        """Name errors after the spreadsheet's columns, not the model's fields."""
        columns = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
        return {columns.get(key, key): value for key, value in errors.items()}

    def before_save_instance(self, instance, row, **kwargs):
        instance._nouveau = instance.pk is None  # spares relation queries after the insert
        instance._change_reason = CHANGE_REASON
        if self.user is not None and self.user.is_authenticated:
            instance._history_user = self.user

    def filter_export(self, queryset, **kwargs):
        return queryset.for_user(self.user).with_refs()

    def get_diff_class(self):
        return ExportDiff

    def dehydrate_commune_nom(self, obj):
        return obj.commune.nom if obj.commune_id else ""

    def dehydrate_departement(self, obj):
        return obj.departement.code if obj.departement_id else ""


def _export_only(column, attribute=None, widget=None, dehydrate=None):
    return Field(
        attribute=attribute,
        column_name=column,
        widget=widget,
        readonly=True,
        dehydrate_method=dehydrate,
    )


class StructureResource(ScopedResource):
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
    commune_nom = _export_only("Commune", dehydrate="dehydrate_commune_nom")
    departement = _export_only("Département", dehydrate="dehydrate_departement")
    en_qpv = _export_only("En QPV", "en_qpv", OuiNonWidget())
    qpv_code = _export_only("Code QPV", "qpv_code")
    en_zone_rurale = _export_only("En zone rurale", "en_zone_rurale", OuiNonWidget())
    publication = _export_only("Publication", "publication", ChoiceWidget(Publication))
    demonstration = _export_only("Démonstration", "demonstration", OuiNonWidget())

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


class ProfessionnelResource(ScopedResource):
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
    commune_nom = _export_only("Commune", dehydrate="dehydrate_commune_nom")
    departement = _export_only("Département", dehydrate="dehydrate_departement")
    en_qpv = _export_only("En QPV", "en_qpv", OuiNonWidget())
    qpv_code = _export_only("Code QPV", "qpv_code")
    en_zone_rurale = _export_only("En zone rurale", "en_zone_rurale", OuiNonWidget())
    publication = _export_only("Publication", "publication", ChoiceWidget(Publication))
    demonstration = _export_only("Démonstration", "demonstration", OuiNonWidget())

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
        )
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def filter_export(self, queryset, **kwargs):
        return super().filter_export(queryset).select_related("aide")
