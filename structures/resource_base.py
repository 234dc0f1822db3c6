"""What both spreadsheet resources share: scope checks, dossier matching, French errors.

A row whose commune — or whose existing dossier — lies outside the agent's territory is
rejected like any other invalid row; errors are named after the spreadsheet's columns.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader
from import_export.resources import Diff

from .access import perimetre_of
from .import_widgets import TexteWidget

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


def export_only(column, attribute=None, widget=None, dehydrate=None):
    return Field(
        attribute=attribute,
        column_name=column,
        widget=widget,
        readonly=True,
        dehydrate_method=dehydrate,
    )
