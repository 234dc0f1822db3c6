"""Agents' admin for the territorial reference and the zonings.

Reference data (régions, départements, EPCI, communes) comes from official imports: it is
searchable (other apps use `autocomplete_fields` on Commune) and read-mostly. Zonings are
edited here — acts, their categories, zones and the communes of each zone — with the full
history of every change (who, when, previous values) through django-simple-history, and
`zonages_changed` sent after each committed edit so derived data follows.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import path, reverse
from django.utils.html import format_html

from portal.lib.admin import GuardedHistoryAdmin, OptimisticLockMixin, SafeLookupsMixin
from territoires.models import (
    CategorieZone,
    ClasseEligibilite,
    Commune,
    CommuneAlias,
    Contour,
    Departement,
    Epci,
    Region,
    Zonage,
    Zone,
    ZoneCommune,
)
from territoires.zonages.admin_import import import_view
from territoires.zonages.lookup import notify_zonages_changed


@admin.register(Region)
class RegionAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ("nom", "code")
    search_fields = ("nom", "code")


@admin.register(Departement)
class DepartementAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ("code", "nom", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("nom", "code")


@admin.register(Epci)
class EpciAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ("nom", "code", "type")
    list_filter = ("type",)
    search_fields = ("nom", "code")
    show_full_result_count = False


class CommuneAliasInline(admin.TabularInline):
    model = CommuneAlias
    fields = ("kind", "code", "nom")
    extra = 0


@admin.register(Commune)
class CommuneAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ("nom", "code", "type", "departement", "population", "codes_postaux")
    list_filter = ("type", "region", "departement")
    list_select_related = ("departement",)
    search_fields = ("nom", "nom_normalise", "code", "codes_postaux")
    autocomplete_fields = ("parent", "epci", "ept")
    inlines = (CommuneAliasInline,)
    show_full_result_count = False


@admin.register(Contour)
class ContourAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ("code", "niveau", "source", "modifie_le")
    list_filter = ("niveau",)
    search_fields = ("code",)
    exclude = ("geometrie",)
    readonly_fields = [f.name for f in Contour._meta.fields if f.name != "geometrie"]
    show_full_result_count = False


# --- Zonings --------------------------------------------------------------------------


class NotifyMixin:
    """Send `zonages_changed` (after commit) for every admin write on zoning data."""

    def zonage_ids(self, obj):
        return [obj.pk] if isinstance(obj, Zonage) else [obj.zonage_id]

    def save_model(self, request, obj, form, change):
        # Here rather than in save_related: a revert from the history saves no related
        # objects. The signal goes once per transaction, after commit.
        super().save_model(request, obj, form, change)
        notify_zonages_changed(self.zonage_ids(obj))

    def delete_model(self, request, obj):
        ids = self.zonage_ids(obj)
        super().delete_model(request, obj)
        notify_zonages_changed(ids)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        notify_zonages_changed()


class CategorieForm(forms.ModelForm):
    eligibilites = forms.MultipleChoiceField(
        label="Ouvre",
        choices=[(v, lbl) for v, lbl in ClasseEligibilite.choices if v != "aucune"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Classes d'aides que cette catégorie ouvre ; aucune case : n'ouvre aucune aide.",
    )

    class Meta:
        model = CategorieZone
        fields = ("code", "libelle", "ordre", "eligibilites", "a_verifier")


class CategorieInline(admin.TabularInline):
    model = CategorieZone
    form = CategorieForm
    extra = 0


class ZoneInline(admin.TabularInline):
    model = Zone
    fields = ("libelle", "code", "categorie")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # zones are added from their own page, with their communes

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("categorie")


@admin.register(Zonage)
class ZonageAdmin(OptimisticLockMixin, SafeLookupsMixin, NotifyMixin, GuardedHistoryAdmin):
    list_display = (
        "titre",
        "kind",
        "profession",
        "region",
        "date_acte",
        "valide_du",
        "valide_au",
        "demonstration",
        "nombre_zones",
    )
    list_filter = ("kind", "profession", "region", "demonstration")
    list_select_related = ("region",)
    search_fields = ("titre", "editeur")
    date_hierarchy = "valide_du"
    inlines = (CategorieInline, ZoneInline)
    readonly_fields = ("cree_le", "modifie_le")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_list_template = "admin/territoires/zonage/change_list.html"
    fieldsets = (
        (None, {"fields": ("kind", "profession", "region", "demonstration")}),
        (
            "Source",
            {"fields": ("titre", "editeur", "date_acte", "url", "source", "date_export")},
        ),
        ("Validité", {"fields": ("valide_du", "valide_au", "revision_publiee")}),
        ("Suivi", {"fields": ("cree_le", "modifie_le")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_zones=Count("zones"))

    @admin.display(description="zones", ordering="_zones")
    def nombre_zones(self, obj):
        return obj._zones

    def get_urls(self):
        view = self.admin_site.admin_view(import_view(self))
        return [path("importer/", view, name="territoires_zonage_import"), *super().get_urls()]


@admin.register(CategorieZone)
class CategorieZoneAdmin(SafeLookupsMixin, NotifyMixin, GuardedHistoryAdmin):
    """Mostly reached from its act's page; listed for the history of each category."""

    form = CategorieForm
    list_display = ("libelle", "code", "ordre", "zonage")
    list_filter = ("zonage__kind", "zonage__profession", "zonage__region")
    list_select_related = ("zonage",)
    search_fields = ("libelle", "code", "zonage__titre")
    autocomplete_fields = ("zonage",)
    fields = ("zonage", "code", "libelle", "ordre", "eligibilites", "a_verifier")


class ZoneCommuneInline(admin.TabularInline):
    model = ZoneCommune
    fields = ("commune", "code_iris", "partiel")
    autocomplete_fields = ("commune",)
    extra = 1


class CategorieChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.libelle} — {obj.zonage.titre}"


class ZoneForm(forms.ModelForm):
    class Meta:
        model = Zone
        fields = ("zonage", "categorie", "code", "libelle")
        field_classes = {"categorie": CategorieChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = CategorieZone.objects.select_related("zonage").order_by("zonage", "ordre")
        if self.instance.pk:
            categories = categories.filter(zonage=self.instance.zonage_id)
        if "categorie" in self.fields:
            self.fields["categorie"].queryset = categories

    def clean(self):
        data = super().clean()
        zonage, categorie = data.get("zonage"), data.get("categorie")
        if zonage and categorie and categorie.zonage_id != zonage.pk:
            raise ValidationError(
                {"categorie": "Cette catégorie appartient à un autre acte que celui de la zone."},
                code="categorie_autre_acte",
            )
        return data


@admin.register(Zone)
class ZoneAdmin(SafeLookupsMixin, NotifyMixin, GuardedHistoryAdmin):
    form = ZoneForm
    list_display = ("__str__", "code", "categorie", "acte", "nombre_communes")
    list_filter = (
        "zonage__kind",
        "zonage__profession",
        "zonage__region",
        "zonage__demonstration",
    )
    list_select_related = ("categorie", "zonage")
    search_fields = ("code", "libelle", "zonage__titre")
    autocomplete_fields = ("zonage",)
    readonly_fields = ("acte", "polygones", "perimetre_etendu")
    fields = ("zonage", "acte", "categorie", "code", "libelle", "polygones")
    inlines = (ZoneCommuneInline,)
    show_full_result_count = False
    # A zone of a national export covers thousands of communes: one form per commune would
    # exceed DATA_UPLOAD_MAX_NUMBER_FIELDS. Above this, the territories are edited one by one.
    MAX_INLINE_TERRITOIRES = 200

    def _large(self, obj) -> bool:
        return bool(obj and obj.pk and obj.perimetre.count() > self.MAX_INLINE_TERRITOIRES)

    def get_inlines(self, request, obj):
        return () if self._large(obj) else self.inlines

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return (*fields, "perimetre_etendu") if self._large(obj) else fields

    @admin.display(description="territoires")
    def perimetre_etendu(self, obj):
        url = reverse("admin:territoires_zonecommune_changelist") + f"?zone__id__exact={obj.pk}"
        return format_html(
            '{} territoires : <a href="{}">les voir et les corriger un par un</a>, ou '
            "réimporter l'annexe.",
            obj.perimetre.count(),
            url,
        )

    def get_queryset(self, request):
        # A correlated count, not Count("perimetre"): searching by commune name joins the
        # territories too, and the grouped join of both took minutes on real zonings.
        counts = (
            ZoneCommune.objects.filter(zone=OuterRef("pk"))
            .order_by()
            .values("zone")
            .annotate(n=Count("id"))
            .values("n")
        )
        communes = Coalesce(Subquery(counts, output_field=IntegerField()), 0)
        return super().get_queryset(request).annotate(_communes=communes)

    def get_search_results(self, request, queryset, search_term):
        """Also the zones holding a commune of that name, through a subquery: a join on the
        territories (70,000 rows for two régions) made every search take seconds."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return found, duplicates
        holding = ZoneCommune.objects.filter(commune__nom__icontains=term).values("zone_id")
        return found | queryset.filter(pk__in=holding), duplicates

    @admin.display(description="communes", ordering="_communes")
    def nombre_communes(self, obj):
        return obj._communes

    @admin.display(description="acte")
    def acte(self, obj):
        if not obj.pk:
            return "—"
        zonage = obj.zonage
        url = reverse("admin:territoires_zonage_change", args=[zonage.pk])
        return format_html('<a href="{}">{}</a> — {}', url, zonage.titre, zonage.reference)

    @admin.display(description="polygones")
    def polygones(self, obj):
        geometry = obj.geometrie or {}
        if not geometry:
            return "Aucun : la zone est définie par ses communes."
        parts = len(geometry.get("coordinates") or []) if geometry.get("type") else 0
        return f"{geometry.get('type', '?')} ({parts} partie(s)) — corrigés par un nouvel import."


@admin.register(ZoneCommune)
class ZoneCommuneAdmin(SafeLookupsMixin, NotifyMixin, GuardedHistoryAdmin):
    """Each commune of each zone, with its own history (additions and removals)."""

    list_display = ("commune", "code_iris", "partiel", "zone")
    list_select_related = ("commune", "zone__categorie", "zone__zonage")
    list_filter = ("zone__zonage__kind", "zone__zonage__profession", "zone__zonage__region")
    search_fields = ("commune__nom", "commune__code", "code_iris", "zone__libelle")
    autocomplete_fields = ("zone", "commune")
    show_full_result_count = False

    def zonage_ids(self, obj):
        return [obj.zone.zonage_id]
