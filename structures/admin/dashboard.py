"""The agents' dashboard: what is left to publish, recent changes, records to fix."""

from itertools import chain

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst

from structures.access import perimetre_of
from structures.models import ProfessionnelSoutenu, Structure

LIMIT = 15


def _recent_changes(user):
    perimetre = perimetre_of(user)
    if perimetre.vide:
        return []
    rows = []
    for model in (Structure, ProfessionnelSoutenu):
        if not user.has_perm(f"structures.view_{model._meta.model_name}"):
            continue
        history = (
            model.history.filter(perimetre.q())
            .select_related("history_user")
            .order_by("-history_date")[:LIMIT]
        )
        rows.append(_change_row(model, record) for record in history)
    merged = sorted(chain.from_iterable(rows), key=lambda r: r["date"], reverse=True)
    return merged[:LIMIT]


def _change_row(model, record) -> dict:
    opts = model._meta
    label = getattr(record, "nom", "") or (
        record.get_profession_display() if hasattr(record, "profession") else ""
    )
    url = None
    if record.history_type != "-":
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.id])
    return {
        "date": record.history_date,
        "user": record.history_user,
        "action": record.get_history_type_display(),
        "label": f"{capfirst(opts.verbose_name)} : {label}",
        "url": url,
        "reason": record.history_change_reason or "",
    }


def dashboard_context(user) -> dict:
    structures = Structure.objects.for_user(user)
    pros = ProfessionnelSoutenu.objects.for_user(user)
    return {
        "a_publier": {
            "structures": structures.drafts().count(),
            "professionnels": pros.drafts().count(),
        },
        "brouillons": structures.drafts().with_refs().order_by("-modifie_le")[:LIMIT],
        "sans_point": structures.without_point()
        .filter(commune__isnull=False)
        .with_refs()
        .order_by("nom")[:LIMIT],
        "nb_sans_point": structures.without_point().filter(commune__isnull=False).count(),
        "hors_commune": structures.filter(point_hors_commune=True)
        .with_refs()
        .order_by("nom")[:LIMIT],
        "nb_hors_commune": structures.filter(point_hors_commune=True).count(),
        "pros_hors_commune": pros.filter(point_hors_commune=True).count(),
        "modifications": _recent_changes(user),
    }


def tableau_de_bord(request):
    user = request.user
    if not (
        user.has_perm("structures.view_structure")
        or user.has_perm("structures.view_professionnelsoutenu")
    ):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        **dashboard_context(user),
        "title": "Tableau de bord des structures et professionnels soutenus",
        "perimetre": perimetre_of(user),
    }
    return TemplateResponse(request, "admin/structures/tableau_de_bord.html", context)
