"""Public pages of the supported structures: the maps (/carte/, /carte/<département>/, built by
structures.maps, and their layers as GeoJSON under /carte/couches/) and the bilan (/bilan/ and
its tables as CSV: figures in structures.stats, tables in structures.bilan)."""

from dataclasses import replace

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import condition, require_safe

from portal.lib import dataversion, frames, secret
from portal.lib.csp import current_nonce
from portal.lib.maps import layer_response
from portal.lib.opendata import text_bad_request
from portal.lib.pagecache import is_anonymous
from portal.lib.responses import first_errors
from portal.lib.spreadsheets import csv_response
from structures import maps, stats
from structures.bilan import table, tables
from structures.filters import MESURES, CarteForm, StructureFilter
from structures.maps import carte_departement, carte_regionale
from structures.models import Structure
from structures.opendata import bilan_modified
from territoires.forms import RegionForm
from territoires.models import Departement, Region, means_all_regions

# The table under a map: 50 rows (≈ 18 kB) keep the page within its 60 kB budget.
TABLE_PAGE_SIZE = 50


def _filters(request):
    return StructureFilter(request.GET, queryset=Structure.objects.published())


def _table_page(request, rows):
    paginator = Paginator(rows, TABLE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=2))
    return page


def _home_region() -> str:
    """The first région of PORTAL_REGIONS (the Région's own bilan and map); Île-de-France
    with PORTAL_REGIONS=all, whose published bilan the demonstration structures follow."""
    return "11" if means_all_regions(settings.DEFAULT_REGIONS) else settings.DEFAULT_REGIONS[0]


def carte(request):
    data = {
        "region": request.GET.get("region") or _home_region(),
        "mesure": request.GET.get("mesure") or "nombre",
    }
    form = CarteForm(data)
    filterset = _filters(request)
    context = {
        "title": "Carte des structures soutenues",
        "form": form,
        "filterset": filterset,
        "breadcrumb_data": {"current": "Carte des structures"},
    }
    if not (form.is_valid() and filterset.is_valid()):
        context["erreurs"] = first_errors(form, filterset)
        return render(request, "structures/carte.html", context, status=400)
    region, mesure = form.cleaned_data["region"], form.cleaned_data["mesure"]
    result = carte_regionale(request, region, mesure, filterset.qs)
    page = _table_page(request, result.lignes)
    context.update(
        {
            "region": region,
            "mesure": mesure,
            "mesure_libelle": MESURES[mesure],
            "legende": (
                f"Carte de la région {region.nom} — couleur des départements : "
                f"{MESURES[mesure].lower()} ; structures soutenues en marqueurs regroupés"
            ),
            "result": result,
            "carte": result.carte,
            "page_obj": page,
            "rangees": maps.rangees(page.object_list),
        }
    )
    return render(request, "structures/carte.html", context)


def _departement(code):
    departement = Departement.objects.by_code(code)
    if departement is None:
        raise Http404("Aucun département ne porte ce code.")
    return departement


# What the filters change on a département's map page; the rest is kept per process
# (portal.lib.frames): the site's header and footer, the titles, the QPV of the département.
PARTS = ("filtres", "donnees", "table", "carte-entete", "carte-script")


def carte_departement_view(request, code):
    departement = _departement(code)
    filterset = _filters(request)
    context = {
        "title": f"Structures soutenues — {departement.nom}",
        "departement": departement,
        "filterset": filterset,
        "breadcrumb_data": {
            "links": [{"url": reverse("structures:carte"), "title": "Carte des structures"}],
            "current": departement.nom,
        },
    }
    if not filterset.is_valid():
        context["erreurs"] = first_errors(filterset)
        context["filtres"] = _part("filtres_structures", context, request)
        return render(request, "structures/carte_departement.html", context, status=400)
    result = carte_departement(request, departement, filterset.qs)
    page = _table_page(request, result.lignes)
    context.update(
        {
            "result": result,
            "carte": result.carte,
            "legende": (
                f"Carte du département {departement.nom} : communes, quartiers prioritaires "
                "(en orange) et structures soutenues en marqueurs regroupés"
            ),
            "page_obj": page,
            "rangees": maps.rangees(page.object_list, departement),
            "table_id": "table-structures",
            "caption": f"Structures soutenues publiées — {departement.nom}",
            "qpv": result.qpv,
        }
    )
    parts = {
        "filtres": _part("filtres_structures", context, request),
        "donnees": _part("carte_departement_donnees", context, request),
        "table": _part("table_structures", context, request),
        "carte-entete": result.carte.header,
        "carte-script": result.carte.script,
    }
    nonce = current_nonce()
    frame = None
    if is_anonymous(request):
        key = (
            "carte-departement", dataversion.current(), timezone.localdate(), request.scheme,
            request.get_host(), request.path, departement.code,
        )  # fmt: skip
        marked = {
            **context,
            **{name: frames.mark(name) for name in ("filtres", "donnees", "table")},
            "carte": replace(
                result.carte, header=frames.mark("carte-entete"), script=frames.mark("carte-script")
            ),
        }
        frame = frames.kept(key, lambda: _page(request, marked), PARTS, nonce)
    if frame is None:
        return HttpResponse(_page(request, {**context, **parts, "carte": result.carte}))
    return HttpResponse(frames.fill(frame, parts, nonce))


def _page(request, context) -> str:
    return render_to_string("structures/carte_departement.html", context, request)


def _part(name: str, context: dict, request) -> SafeString:
    """A block of the page: with the request (`{% querystring %}` reads it), without
    running the context processors again for each block (the menu's URLs, the site's
    settings: what the page around shows)."""
    template = get_template(f"structures/partials/{name}.html").template
    block = Context({**context, "request": request}, autoescape=True)
    block.request = request
    return mark_safe(template.render(block))


# --- Map layers: GeoJSON per département (or région), immutable under their version ------
@require_safe
def couche_communes(request, version, code):
    return layer_response(request, version, lambda: maps.communes_layer(_departement(code)))


@require_safe
def couche_departement(request, version, code):
    return layer_response(request, version, lambda: maps.departement_layer(_departement(code)))


@require_safe
def couche_qpv(request, version, code):
    return layer_response(request, version, lambda: maps.qpv_layer(_departement(code)))


@require_safe
def couche_structures(request, version, code):
    """Markers of the département's published structures, with the map pages' filters."""

    def build():
        departement = _departement(code)
        filterset = _filters(request)
        if not filterset.is_valid():
            return text_bad_request(first_errors(filterset))
        return maps.structures_layer(departement, filterset.qs)

    return layer_response(request, version, build, query=maps.filter_query(request))


@require_safe
def couche_departements(request, version, code):
    """Outlines of the région's départements, coloured by the régional page."""
    return layer_response(
        request, version, lambda: maps.departements_layer(get_object_or_404(Region, code=code))
    )


# --- Bilan ------------------------------------------------------------------------------
def _region_form(request):
    """`?region=` absent: the first région of the portal (the Région's own bilan); empty: all."""
    data = request.GET.copy()
    data.setdefault("region", _home_region())
    return RegionForm(data)


def bilan(request):
    form = _region_form(request)
    context = {
        "title": "Bilan des aides",
        "form": form,
        "secret_label": secret.SECRET_LABEL,
        "secret_rule": secret.rule_text(),
        "breadcrumb_data": {"current": "Bilan"},
    }
    if not form.is_valid():
        context["erreurs"] = first_errors(form)
        return render(request, "structures/bilan.html", context, status=400)
    result = stats.compute(form.cleaned_data["region"])
    region = form.cleaned_data["region"]
    context.update(
        {
            "bilan": result,
            "tableaux": tables(result),
            "region_code": region.code if region else "",
        }
    )
    return render(request, "structures/bilan.html", context)


@condition(last_modified_func=bilan_modified)
def bilan_csv(request, slug):
    form = _region_form(request)
    if not form.is_valid():
        return text_bad_request(first_errors(form))
    region = form.cleaned_data["region"]
    tableau = table(stats.compute(region), slug)
    if tableau is None:
        raise Http404("Ce tableau n'existe pas.")
    suffix = region.code if region else "toutes-regions"
    return csv_response(f"bilan-{slug}-{suffix}.csv", tableau.colonnes, tableau.csv_rows)
