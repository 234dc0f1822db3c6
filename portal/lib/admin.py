"""Admin behaviour every back-office list shares."""

from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import (
    EmptyResultSet,
    FullResultSet,
    PermissionDenied,
    ValidationError,
)
from django.http import Http404
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
