"""Admin of supported professionals (personal data: back-office only)."""

from django.contrib import admin

from structures.admin.base import ScopedAdmin
from structures.admin.display import LieuDisplayMixin
from structures.admin.filters import AnneeFilter, DepartementFilter, ProblemeFilter, ZoneFilter
from structures.admin.forms import ProfessionnelAdminForm
from structures.models import ProfessionnelSoutenu
from structures.resources import ProfessionnelResource


@admin.register(ProfessionnelSoutenu)
class ProfessionnelSoutenuAdmin(LieuDisplayMixin, ScopedAdmin):
    form = ProfessionnelAdminForm
    resource_classes = [ProfessionnelResource]
    publish_permission = "publish_professionnelsoutenu"
    list_display = [
        "__str__",
        "profession",
        "situation",
        "commune_display",
        "departement_display",
        "aide",
        "montant_display",
        "annee",
        "en_qpv",
        "en_zone_rurale",
        "publication",
        "probleme_display",
    ]
    list_select_related = ["commune", "departement", "aide"]
    list_filter = [
        DepartementFilter,
        "profession",
        "situation",
        AnneeFilter,
        ("aide", admin.RelatedOnlyFieldListFilter),
        ZoneFilter,
        "publication",
        ProblemeFilter,
        "demonstration",
    ]
    search_fields = ["nom", "reference", "commune__nom", "commune__code"]
    search_help_text = "Nom, numéro de dossier, commune (nom ou code INSEE)."
    autocomplete_fields = ["commune"]
    ordering = ["-modifie_le", "-pk"]
    readonly_fields = LieuDisplayMixin.derived_readonly_fields
    fieldsets = [
        (
            None,
            {
                "fields": ["reference", "nom", "profession", "situation"],
                "description": "Données personnelles : jamais publiées individuellement ; "
                "le public ne voit que des totaux par commune, département et profession.",
            },
        ),
        (
            "Lieu d'exercice",
            {"fields": ["commune", "adresse_exercice", "carte", "latitude", "longitude"]},
        ),
        ("Aide", {"fields": ["aide", "montant", "annee", "date_decision"]}),
        ("Publication", {"fields": ["publication", "demonstration"]}),
        ("Déduit du lieu d'exercice", {"fields": LieuDisplayMixin.derived_readonly_fields}),
    ]
