"""Agents' scopes: managed by administrators only (no group is given these permissions)."""

from django.contrib import admin

from portal.lib.admin import GuardedHistoryAdmin, SafeLookupsMixin
from structures.models import ProfilAgent


@admin.register(ProfilAgent)
class ProfilAgentAdmin(SafeLookupsMixin, GuardedHistoryAdmin):
    list_display = ["user", "region", "departements_display"]
    list_select_related = ["user", "region"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["departements"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("departements")

    @admin.display(description="départements")
    def departements_display(self, obj):
        return ", ".join(d.code for d in obj.departements.all()) or "—"
