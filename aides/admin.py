"""Agents write, publish and archive aids; every change is kept (django-simple-history)."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from aides.choices import StatutAide
from aides.fields import MultiChoiceField
from aides.forms import ConditionZonageForm
from aides.models import Aide, Bareme, ConditionZonage, Financeur, LienVerifie, PalierBareme
from portal.lib.admin import GuardedHistoryAdmin, OptimisticLockMixin, SafeLookupsMixin


class ConditionZonageInline(admin.TabularInline):
    model = ConditionZonage
    form = ConditionZonageForm
    extra = 0
    autocomplete_fields = ["departement"]
    verbose_name_plural = "conditions de zonage (il suffit d'en remplir une)"


SUIVI_LIMIT = 50  # rows per table of the follow-up page
URL_FIELDS = {models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}}
# The admin gives every CharField subclass a text input, which rendered these lists as
# "['professionnel']" and refused them on save: checkboxes, as the field itself asks.
MULTI_CHOICE_FIELDS = {MultiChoiceField: {"widget": forms.CheckboxSelectMultiple}}


@admin.register(Aide)
class AideAdmin(OptimisticLockMixin, SafeLookupsMixin, GuardedHistoryAdmin):
    formfield_overrides = {**URL_FIELDS, **MULTI_CHOICE_FIELDS}
    list_display = [
        "nom", "sigle", "statut", "financeurs_list", "date_cloture", "verifie_le",
        "informations_verifiees", "voir",
    ]  # fmt: skip
    list_filter = [
        "statut", "forme", "financeurs", "nature_montant", "informations_verifiees",
        "montant_confirme", "demonstration", "regions",
    ]  # fmt: skip
    search_fields = ["nom", "sigle", "resume", "slug"]
    prepopulated_fields = {"slug": ["nom"]}
    autocomplete_fields = ["financeurs", "bareme", "departements", "communes"]
    filter_horizontal = ["regions"]
    inlines = [ConditionZonageInline]
    show_full_result_count = False
    list_per_page = 50
    date_hierarchy = "modifie_le"
    actions = ["publier", "archiver", "repasser_en_brouillon"]
    readonly_fields = ["cree_le", "modifie_le"]
    fieldsets = [
        (None, {"fields": ["nom", "sigle", "slug", "statut", "resume", "description"]}),
        ("Financeurs et forme", {"fields": ["financeurs", "forme"]}),
        ("Bénéficiaires", {"fields": ["publics", "professions", "types_structure", "etapes"]}),
        (
            "Territoire",
            {
                "fields": ["regions", "departements", "communes"],
                "description": "Vide : toute la France. Les conditions de zonage sont plus bas.",
            },
        ),
        (
            "Montant",
            {
                "fields": [
                    "nature_montant",
                    ("montant_min", "montant_max"),
                    "taux",
                    "duree_mois",
                    "montant_texte",
                    "bareme",
                    "montant_confirme",
                ]
            },
        ),
        ("Conditions", {"fields": ["conditions", "contreparties", "demarches", "contact"]}),
        ("Dates", {"fields": [("date_ouverture", "date_cloture")]}),
        (
            "Sources et vérification",
            {
                "fields": [
                    "source_juridique",
                    "url_officielle",
                    "verifie_le",
                    "informations_verifiees",
                    "note_verification",
                    "demonstration",
                    ("cree_le", "modifie_le"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("financeurs")

    def get_urls(self):
        view = self.admin_site.admin_view(self.suivi_view)
        return [path("suivi/", view, name="aides_aide_suivi"), *super().get_urls()]

    def suivi_view(self, request):
        """The aids' follow-up: broken links (daily check) and aids to verify again."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        from aides.tasks import VERIFICATION_MAX_AGE  # tasks import the models

        a_reverifier = Aide.objects.verified_before(timezone.localdate() - VERIFICATION_MAX_AGE)
        liens = LienVerifie.objects.en_erreur()
        context = {
            **self.admin_site.each_context(request),
            "title": "Suivi des aides : liens et vérifications",
            "opts": self.opts,
            "liens": liens.select_related("aide").order_by("aide__nom", "url")[:SUIVI_LIMIT],
            "nb_liens": liens.count(),
            "derniere_verification": LienVerifie.objects.aggregate(d=models.Max("verifie_le"))["d"],
            "a_reverifier": a_reverifier.order_by(
                models.F("verifie_le").asc(nulls_first=True), "nom"
            )[:SUIVI_LIMIT],
            "nb_a_reverifier": a_reverifier.count(),
        }
        return TemplateResponse(request, "admin/aides/suivi.html", context)

    @admin.display(description="financeurs")
    def financeurs_list(self, obj):
        return ", ".join(f.nom for f in obj.financeurs.all())

    @admin.display(description="fiche")
    def voir(self, obj):
        return format_html('<a href="{}">voir</a>', obj.get_absolute_url())

    def has_publish_permission(self, request):
        """The catalogue is national, not scoped: publishing is granted explicitly (README)."""
        return request.user.has_perm("aides.publish_aide")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("statut")  # else the form would publish what the actions refuse
        return fields

    def _set_status(self, request, queryset, statut, verb):
        count = 0
        for aide in queryset:  # one save each, so that history records who did it
            if aide.statut != statut:
                aide.statut = statut
                if statut == StatutAide.ARCHIVEE and aide.date_cloture is None:
                    aide.date_cloture = max(
                        timezone.localdate(), aide.date_ouverture or dt.date.min
                    )
                aide.save(update_fields=["statut", "date_cloture", "modifie_le"])
                count += 1
        self.message_user(request, f"{count} aide(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Publier les aides sélectionnées", permissions=["publish"])
    def publier(self, request, queryset):
        self._set_status(request, queryset, StatutAide.PUBLIEE, "publiée(s)")

    @admin.action(
        description="Archiver les aides sélectionnées (dispositif fermé)", permissions=["publish"]
    )
    def archiver(self, request, queryset):
        self._set_status(request, queryset, StatutAide.ARCHIVEE, "archivée(s)")

    @admin.action(description="Repasser en brouillon (retirer du site)", permissions=["publish"])
    def repasser_en_brouillon(self, request, queryset):
        self._set_status(request, queryset, StatutAide.BROUILLON, "repassée(s) en brouillon")


@admin.register(Financeur)
class FinanceurAdmin(SafeLookupsMixin, GuardedHistoryAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["nom", "type", "slug"]
    list_filter = ["type"]
    search_fields = ["nom", "slug"]
    prepopulated_fields = {"slug": ["nom"]}


class PalierInline(admin.TabularInline):
    model = PalierBareme
    extra = 1


@admin.register(Bareme)
class BaremeAdmin(SafeLookupsMixin, GuardedHistoryAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["nom", "variable", "verifie"]
    list_filter = ["verifie", "variable"]
    search_fields = ["nom"]
    autocomplete_fields = ["origines"]
    inlines = [PalierInline]
