"""Admin of supported structures: the agents' main list."""

from django.contrib import admin
from django.urls import path

from structures.admin import dashboard
from structures.admin.base import ScopedAdmin
from structures.admin.display import LieuDisplayMixin
from structures.admin.filters import (
    AnneeDecisionFilter,
    DepartementFilter,
    ProblemeFilter,
    ZoneFilter,
)
from structures.admin.forms import StructureAdminForm
from structures.models import PresenceProfessionnelle, Structure
from structures.resources import StructureResource


class PresenceInline(admin.TabularInline):
    model = PresenceProfessionnelle
    extra = 0
    min_num = 0
    verbose_name = "profession présente"
    verbose_name_plural = "professionnels présents dans la structure"


@admin.register(Structure)
class StructureAdmin(LieuDisplayMixin, ScopedAdmin):
    form = StructureAdminForm
    resource_classes = [StructureResource]
    publish_permission = "publish_structure"
    change_list_template = "admin/structures/structure/change_list.html"
    inlines = [PresenceInline]
    list_display = [
        "nom",
        "type",
        "commune_display",
        "departement_display",
        "statut",
        "montant_display",
        "date_decision",
        "en_qpv",
        "en_zone_rurale",
        "publication",
        "probleme_display",
    ]
    list_display_links = ["nom"]
    list_select_related = ["commune", "departement"]
    list_filter = [
        DepartementFilter,
        "type",
        "statut",
        AnneeDecisionFilter,
        ("aides", admin.RelatedOnlyFieldListFilter),
        ZoneFilter,
        "publication",
        ProblemeFilter,
        "demonstration",
    ]
    search_fields = ["nom", "reference", "commune__nom", "commune__code", "adresse", "qpv_nom"]
    search_help_text = "Nom, numéro de dossier, commune (nom ou code INSEE), adresse ou QPV."
    autocomplete_fields = ["commune"]
    filter_horizontal = ["aides"]
    ordering = ["-modifie_le", "-pk"]
    readonly_fields = LieuDisplayMixin.derived_readonly_fields
    fieldsets = [
        (None, {"fields": ["reference", "type", "nom", "statut"]}),
        (
            "Emplacement",
            {
                "fields": ["adresse", "commune", "region", "carte", "latitude", "longitude"],
                "description": "La commune est vérifiée d'après le point : "
                "un point placé dans une autre commune est refusé.",
            },
        ),
        ("Aide accordée", {"fields": ["aides", "montant_accorde", "date_decision"]}),
        ("Publication", {"fields": ["publication", "demonstration"]}),
        ("Déduit de l'emplacement", {"fields": LieuDisplayMixin.derived_readonly_fields}),
    ]

    def get_urls(self):
        view = self.admin_site.admin_view(dashboard.tableau_de_bord)
        return [
            path("tableau-de-bord/", view, name="structures_tableau_de_bord"),
            *super().get_urls(),
        ]
