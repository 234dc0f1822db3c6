"""What the structures and professionals admins share: scope, publication, import/export.

The département scope is enforced here on the server — in the list, in every object
lookup (`fetch_for_user`), in the forms (commune choices and validation) and in imports
(`structures.resources`) — not merely hidden in the interface.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.urls import path
from import_export.admin import ImportExportModelAdmin

from portal.lib.admin import GuardedHistoryAdmin, OptimisticLockMixin, SafeLookupsMixin
from portal.lib.spreadsheets import FormulaSafeCSV, FormulaSafeXLSX
from structures.access import fetch_for_user, perimetre_of
from structures.admin.autocomplete import (
    URL_NAME,
    ScopedCommuneAutocomplete,
    ScopedCommuneAutocompleteView,
)
from structures.admin.imports import CheckedImportMixin
from structures.choices import Publication


class ScopedAdmin(
    OptimisticLockMixin,
    SafeLookupsMixin,
    CheckedImportMixin,
    ImportExportModelAdmin,
    GuardedHistoryAdmin,
):
    # Exports neutralise formula-like cells (=, +, -, @) for the agents who open them.
    export_formats = [FormulaSafeCSV, FormulaSafeXLSX]
    # Keeps big lists fast: no COUNT(*) over the whole table on every page.
    show_full_result_count = False
    list_per_page = 50
    date_hierarchy = None
    actions = ["publier", "depublier"]
    publish_permission = ""

    # --- Scope ---------------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_object(self, request, object_id, from_field=None):
        if from_field not in (None, "pk", "id"):
            return super().get_object(request, object_id, from_field)
        try:
            return fetch_for_user(self.model.objects.with_refs(), request.user, object_id)
        except Http404:
            return None

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses NUL characters in text: a pasted one must not become a 500.
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))

    def history_view(self, request, object_id, extra_context=None):
        self._get_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The current record decides, not the old version: no reverting into one's scope.
        self._get_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _get_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("Cet enregistrement n'existe pas ou n'est pas dans votre périmètre.")
        return obj

    def _in_scope(self, request, obj):
        return obj is None or perimetre_of(request.user).couvre(
            region_id=obj.region_id, departement_id=obj.departement_id
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not perimetre_of(request.user).vide

    def get_urls(self):
        view = self.admin_site.admin_view(
            lambda request: ScopedCommuneAutocompleteView.as_view(admin_site=self.admin_site)(
                request
            )
        )
        # Same URL from both admins (the view reads the source model from the query string).
        return [path("communes-autocomplete/", view, name=URL_NAME), *super().get_urls()]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "commune" and db_field.name in self.autocomplete_fields:
            kwargs["widget"] = ScopedCommuneAutocomplete(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The form narrows commune choices and validates the scope for this user.
        return type(form.__name__, (form,), {"user": request.user})

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("publication")  # publishing is a permission of its own
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj._change_reason = "Création dans le back-office"
        super().save_model(request, obj, form, change)

    # --- Import / export -----------------------------------------------------------------

    def has_import_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}") and (
            request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True  # one bad row: nothing is written
        return kwargs

    # --- Publication ---------------------------------------------------------------------

    def has_publish_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.{self.publish_permission}")

    def _set_publication(self, request, queryset, publication, reason):
        changed = 0
        for obj in queryset.select_related("commune"):
            if obj.publication == publication:
                continue
            obj.publication = publication
            obj._change_reason = reason
            obj.save()
            changed += 1
        return changed

    @admin.action(description="Publier la sélection", permissions=["publish"])
    def publier(self, request, queryset):
        n = self._set_publication(request, queryset, Publication.PUBLIEE, "Publication")
        self.message_user(request, f"{n} enregistrement(s) publié(s).", messages.SUCCESS)

    @admin.action(description="Retirer la sélection de la publication", permissions=["publish"])
    def depublier(self, request, queryset):
        n = self._set_publication(request, queryset, Publication.BROUILLON, "Dépublication")
        self.message_user(request, f"{n} enregistrement(s) repassé(s) en brouillon.")
