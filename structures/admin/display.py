"""Columns and read-only fields shared by the structures and professionals admins."""

from django.contrib import admin
from django.utils.formats import number_format
from django.utils.html import format_html_join

from territoires.models import Profession


class LieuDisplayMixin:
    derived_readonly_fields = [
        "en_qpv",
        "qpv_code",
        "qpv_nom",
        "en_zone_rurale",
        "zones_display",
        "point_hors_commune",
        "publie_le",
        "cree_le",
        "modifie_le",
    ]

    @admin.display(description="commune", ordering="commune__nom")
    def commune_display(self, obj):
        return obj.commune.nom if obj.commune_id else "—"

    @admin.display(description="dép.", ordering="departement__code")
    def departement_display(self, obj):
        return obj.departement.code if obj.departement_id else "région"

    @admin.display(description="montant (€)", ordering="montant_accorde")
    def montant_display(self, obj):
        value = getattr(obj, "montant_accorde", None)
        if value is None:
            value = getattr(obj, "montant", None)
        return "—" if value is None else number_format(value, 0, force_grouping=True)

    @admin.display(description="à vérifier")
    def probleme_display(self, obj):
        if obj.commune_id and not obj.a_un_point:
            return "sans point"
        if obj.point_hors_commune:
            return "point hors commune"
        return ""

    @admin.display(description="zones ARS au point")
    def zones_display(self, obj):
        if not obj.zones:
            return "Aucune zone ARS connue à cet endroit."
        items = [
            (
                Profession(slug).label if slug in Profession.values else slug,
                ", ".join(z["libelle"] for z in zones),
            )
            for slug, zones in obj.zones.items()
        ]
        return format_html_join("", "<div><strong>{}</strong> : {}</div>", items)
