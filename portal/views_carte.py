"""Public map pages: /carte/ (a région) and /carte/<département>/. Thin: see carte_structures."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from portal.carte_structures import carte_departement, carte_regionale
from portal.filters import MESURES, CarteForm, StructureFilter, first_errors
from structures.models import Structure
from territoires.models import Departement

TABLE_PAGE_SIZE = 100


def _filters(request):
    return StructureFilter(request.GET, queryset=Structure.objects.published())


def _table_page(request, rows):
    paginator = Paginator(rows, TABLE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=2))
    return page


def _query(params, *dropped) -> str:
    remaining = params.copy()
    for key in dropped:
        remaining.pop(key, None)
    return remaining.urlencode()


def carte(request):
    data = {
        "region": request.GET.get("region") or settings.DEFAULT_REGIONS[0],
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
        return render(request, "portal/carte.html", context, status=400)
    region, mesure = form.cleaned_data["region"], form.cleaned_data["mesure"]
    result = carte_regionale(request, region, mesure, filterset.qs)
    query = _query(request.GET, "page")
    donnees = request.GET.copy()
    donnees["region"] = region.code
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
            "page_obj": _table_page(request, result.lignes),
            "query": query,
            "query_donnees": _query(donnees, "page", "mesure"),
        }
    )
    return render(request, "portal/carte.html", context)


def carte_departement_view(request, code):
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code.upper())
    filterset = _filters(request)
    context = {
        "title": f"Structures soutenues — {departement.nom}",
        "departement": departement,
        "filterset": filterset,
        "breadcrumb_data": {
            "links": [{"url": reverse("portal:carte"), "title": "Carte des structures"}],
            "current": departement.nom,
        },
    }
    if not filterset.is_valid():
        context["erreurs"] = first_errors(filterset)
        return render(request, "portal/carte_departement.html", context, status=400)
    result = carte_departement(request, departement, filterset.qs)
    query = _query(request.GET, "page")
    donnees = request.GET.copy()
    donnees["departement"] = departement.code
    context.update(
        {
            "result": result,
            "carte": result.carte,
            "legende": (
                f"Carte du département {departement.nom} : communes, quartiers prioritaires "
                "(en orange) et structures soutenues en marqueurs regroupés"
            ),
            "page_obj": _table_page(request, result.lignes),
            "query": query,
            "query_donnees": _query(donnees, "page"),
        }
    )
    return render(request, "portal/carte_departement.html", context)
