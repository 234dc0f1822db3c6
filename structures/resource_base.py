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

from structures.access import perimetre_of
from structures.import_widgets import TexteWidget

REFERENCE = "Numéro de dossier"
# Exported so that a record without dossier number can be imported back unchanged.
IDENTIFIANT = "Identifiant"
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


def identifiant(value) -> int | None:
    """The export's record identifier (12, "12", 12.0), or None."""
    text = TexteWidget().clean(value)
    return int(text) if text.isdigit() and len(text) < 19 else None


class ReferenceLoader(BaseInstanceLoader):
    """Loads every dossier named in the file in one query, whatever the agent's scope.

    Looking outside the scope is what lets a row naming another département's dossier be
    refused with a clear message, instead of being mistaken for a new dossier. A row
    without dossier number is matched on the export's identifier, and only to a record
    that has no dossier number either.
    """

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        refs, ids = set(), set()
        headers = (dataset.headers or []) if dataset is not None else []
        if REFERENCE in headers:
            widget = TexteWidget()
            refs = {widget.clean(value) for value in dataset[REFERENCE]} - {""}
            if IDENTIFIANT in headers:
                ids = {
                    identifiant(ident)
                    for ref, ident in zip(dataset[REFERENCE], dataset[IDENTIFIANT], strict=True)
                    if not widget.clean(ref)
                } - {None}
        model = resource._meta.model
        base = model.objects.select_related(
            "commune__parent", "departement", "region"
        ).prefetch_related(*resource.prefetch_on_load)
        self.instances = {obj.reference: obj for obj in base.filter(reference__in=refs)}
        self.by_id = {obj.pk: obj for obj in base.filter(pk__in=ids, reference="")} if ids else {}

    def get_instance(self, row):
        reference = TexteWidget().clean(row.get(REFERENCE))
        obj = self.instances.get(reference) if reference else self._by_identifiant(row)
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

    def _by_identifiant(self, row):
        value = row.get(IDENTIFIANT)
        if TexteWidget().clean(value) == "":
            return None  # before_import_row asks for a dossier number
        obj = self.by_id.get(identifiant(value))
        if obj is None:
            raise ValidationError(
                {
                    REFERENCE: ValidationError(
                        f"L'identifiant « {value} » ne désigne aucun dossier sans numéro : "
                        "indiquez le numéro de dossier.",
                        code="identifiant_inconnu",
                    )
                }
            )
        return obj


class ScopedResource(resources.ModelResource):
    required_columns: tuple[str, ...] = ()
    prefetch_on_load: tuple[str, ...] = ()
    # Called with each row's number once imported: the background import's progress.
    on_row = None

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
            single = len(dataset.headers or []) == 1
            dataset.wipe()
            raise ValueError(
                "Colonnes manquantes : "
                + ", ".join(f"« {c} »" for c in missing)
                + ". Partez d'un export : il a les bons en-têtes."
                + (
                    " Une seule colonne a été lue : vérifiez le séparateur du fichier "
                    "(virgule, point-virgule ou tabulation)."
                    if single
                    else ""
                )
            )

    def before_import_row(self, row, **kwargs):
        reference = TexteWidget().clean(row.get(REFERENCE))
        if not reference and identifiant(row.get(IDENTIFIANT)) is not None:
            reference = f"{IDENTIFIANT} {identifiant(row.get(IDENTIFIANT))}"
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

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if self.on_row is not None:
            self.on_row(kwargs.get("row_number", 0))

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
