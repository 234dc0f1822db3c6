"""Admin behaviour every back-office list shares."""

from django import forms
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.views.main import ChangeList
from django.core import signing
from django.core.exceptions import (
    EmptyResultSet,
    FieldDoesNotExist,
    FullResultSet,
    PermissionDenied,
    ValidationError,
)
from django.db import router, transaction
from django.http import Http404
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model


class _SafeChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        # Django admits any lookup on a local field from the query string, and some values
        # only fail when the SQL is compiled (`?date_decision__year=0` → ValueError, a 500).
        # Compiling here turns them into Django's own "invalid parameters" redirect.
        params = ()
        try:
            _sql, params = queryset.query.sql_with_params()
        except (EmptyResultSet, FullResultSet):
            pass  # an empty (or unfiltered) list is a valid answer
        except (ValueError, TypeError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error
        else:
            # PostgreSQL refuses NUL in text (`?statut=%00` was a 500); no row can hold one.
            if any(isinstance(p, str) and "\x00" in p for p in params):
                raise IncorrectLookupParameters("NUL character in a list filter")
        return queryset


class SafeLookupsMixin:
    """Crafted list requests (out-of-range lookups, NUL, bogus selections) are refused, never
    a 500."""

    def get_changelist(self, request, **kwargs):
        return _SafeChangeList

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses NUL characters in text: a pasted one must not become a 500.
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))

    def response_action(self, request, queryset):
        # Django filters `pk__in=<posted values>`: "abc" or "1\x00" raised a 500. Values that
        # cannot be a key of this model name no row; with none left, Django's own French
        # "Aucun élément n'a été modifié" message answers.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        valid = [value for value in selected if _is_pk(self.model, value)]
        if len(valid) != len(selected):
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, valid)
        return super().response_action(request, queryset)


def _is_pk(model, value) -> bool:
    if "\x00" in value:
        return False
    try:
        return model._meta.pk.to_python(value) not in (None, "")
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin, where reverting to an old version is a change like any other.

    Its revert form saves on POST after checking only the *view* permission, so a view-only
    reader could write records through it. Here a user who may not change the current
    record (permission and, in scoped admins, scope through `get_object`) sees old versions
    read-only, without a revert button, and a crafted POST is refused (403).
    """

    def history_view(self, request, object_id, extra_context=None):
        if not _is_pk(self.model, unquote(object_id)):
            raise Http404("Cet enregistrement n'existe pas.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history_model = get_history_model_for_model(self.model)
        if not (_is_pk(self.model, unquote(object_id)) and _is_pk(history_model, version_id)):
            raise Http404("Cette version n'existe pas.")
        current = self.get_object(request, unquote(object_id))
        if current is None:  # deleted (or outside the list): restoring it creates it again
            may_write = self.has_add_permission(request)
        else:
            may_write = self.has_change_permission(request, current)
        if not may_write:
            if request.method not in ("GET", "HEAD"):
                raise PermissionDenied
            request._history_read_only = True
            extra_context = {**(extra_context or {}), "revert_disabled": True}
        request._history_current = current
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        """A revert restores only what the user may edit: a field read-only for them (the
        publication state…) keeps its current value, not the old version's."""
        current = getattr(request, "_history_current", None)
        if current is not None:
            names = {f.name for f in self.model._meta.concrete_fields}
            for name in set(self.get_readonly_fields(request, current)) & names:
                setattr(obj, name, getattr(current, name))
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "_history_read_only", False):
            return _disabled(form)
        return form


def _disabled(form_class):
    """The same form with every field disabled (rendered, never submitted)."""

    class ReadOnlyForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                field.disabled = True

    ReadOnlyForm.__name__ = form_class.__name__
    return ReadOnlyForm


# --- Optimistic check on concurrent edits ------------------------------------------------

STAMP_FIELD_NAME = "jeton_version"
REFUSAL = (
    "Cet enregistrement a été modifié par quelqu'un d'autre depuis que vous l'avez ouvert : "
    "vos modifications n'ont pas été enregistrées. Vérifiez les différences ci-dessous ; "
    "enregistrez à nouveau pour les remplacer par votre saisie, ou rechargez la page pour "
    "repartir de la version actuelle."
)
MISSING_STAMP = (
    "Ce formulaire ne dit pas de quelle version de l'enregistrement vous êtes parti "
    "(jeton de version absent ou altéré) : rien n'a été enregistré. Rechargez la page, "
    "puis refaites vos modifications."
)
_EMPTY = "(vide)"
_LONGEST = 200


class OptimisticLockMixin:
    """The change form carries the record's modification stamp (`stamp_field`, signed with
    the values the agent started from) in a hidden field; a save whose stamp is no longer
    the database's is refused with the French list of what changed meanwhile
    (« champ : valeur actuelle — valeur de départ »). A POST without a valid stamp is
    refused too. Inline formsets are not compared (their parent's refusal saves none)."""

    stamp_field = "modifie_le"

    def _stamped(self, obj):
        names = {f.name for f in self.model._meta.concrete_fields}
        return obj is not None and obj.pk is not None and self.stamp_field in names

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._stamped(obj):
            return fieldsets
        return [*fieldsets, (None, {"fields": [STAMP_FIELD_NAME], "classes": ["hidden"]})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if not self._stamped(obj) or kwargs.get("fields", ()) is None:
            return super().get_form(request, obj, change=change, **kwargs)
        if "fields" in kwargs:
            fields = kwargs.pop("fields")
        else:  # simple-history's revert form names no fields
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        fields = [name for name in fields if name != STAMP_FIELD_NAME]
        form = super().get_form(request, obj, change=change, fields=fields, **kwargs)
        # A revert starts from the current record, not from the old version it shows.
        current = getattr(request, "_history_current", None) or obj
        return _stamped_form(form, self.stamp_field, current)


def _stamped_form(form_class, stamp_field, current):
    class StampedForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields[STAMP_FIELD_NAME] = forms.CharField(
                required=False, widget=forms.HiddenInput
            )
            if not self.is_bound:  # a POST carries its own
                self.fields[STAMP_FIELD_NAME].initial = _token(self, current, stamp_field)

        def clean(self):
            cleaned = super().clean()
            _check_stamp(self, stamp_field, current)
            return cleaned

    StampedForm.__name__ = form_class.__name__
    return StampedForm


def _salt(obj):
    return f"portal.optimistic:{obj._meta.label}:{obj.pk}"


def _token(form, obj, stamp_field):
    return signing.dumps(_snapshot(form, obj, stamp_field), salt=_salt(obj), compress=True)


def _compared_fields(form, model):
    fields = {}
    for name in form.fields:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete or field.many_to_many:
            fields[name] = field
    return fields


def _snapshot(form, obj, stamp_field):
    values = {name: _value(field, obj) for name, field in _compared_fields(form, type(obj)).items()}
    return {"stamp": _stamp(obj, stamp_field), "values": values}


def _stamp(obj, stamp_field):
    return obj._meta.get_field(stamp_field).value_to_string(obj)


def _value(field, obj):
    """[raw, shown]: raw compares, shown is what the agent reads (shown is None when raw is
    also what is shown)."""
    if field.many_to_many:
        related = sorted(getattr(obj, field.name).all(), key=lambda o: o.pk)
        return [[str(o.pk) for o in related], ", ".join(str(o) for o in related)]
    if field.is_relation:
        related = getattr(obj, field.name)
        return [field.value_to_string(obj), "" if related is None else str(related)]
    value = field.value_from_object(obj)
    raw = field.value_to_string(obj)
    if isinstance(value, bool):
        return [raw, "oui" if value else "non"]
    if field.flatchoices and not isinstance(value, list | tuple):
        return [raw, str(dict(field.flatchoices).get(value, raw))]
    if isinstance(value, list | tuple) and field.flatchoices:
        labels = dict(field.flatchoices)
        return [raw, ", ".join(str(labels.get(v, v)) for v in value)]
    return [raw, None]


def _shown(value):
    raw, shown = value
    text = raw if shown is None else shown
    text = "" if text is None else str(text)
    if not text or text == "None":
        return _EMPTY
    return text if len(text) <= _LONGEST else f"{text[:_LONGEST]}…"


def _check_stamp(form, stamp_field, current):
    model = type(current)
    try:
        started = signing.loads(form.data.get(STAMP_FIELD_NAME) or "", salt=_salt(current))
        started_stamp, started_values = started["stamp"], started["values"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError(MISSING_STAMP, code="jeton_version") from None
    rows = model._base_manager.filter(pk=current.pk)
    if not transaction.get_autocommit(router.db_for_write(model)):
        rows = rows.select_for_update()  # a concurrent save waits for this one to end
    now = rows.first()
    if now is None:
        raise ValidationError(
            "Cet enregistrement a été supprimé entre-temps : rien n'a été enregistré.",
            code="supprime",
        )
    if _stamp(now, stamp_field) == started_stamp:
        return
    errors = [ValidationError(REFUSAL, code="modifie_entre_temps")]
    for name, field in _compared_fields(form, model).items():
        before, after = started_values.get(name), _value(field, now)
        if before is None or before[0] == after[0]:
            continue
        errors.append(
            ValidationError(
                "%(champ)s : « %(actuelle)s » dans la base maintenant, "
                "« %(depart)s » quand vous avez ouvert la page.",
                code="champ_modifie",
                params={
                    "champ": capfirst(field.verbose_name),
                    "actuelle": _shown(after),
                    "depart": _shown(before),
                },
            )
        )
    # Resaving, with the differences in sight, is a deliberate choice: it may replace them.
    form.data = form.data.copy()
    form.data[STAMP_FIELD_NAME] = _token(form, now, stamp_field)
    raise ValidationError(errors)
