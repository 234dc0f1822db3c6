"""Public pages: the finder and the aid page. Thin: the work is in search, eligibility, maps."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from aides import geocoder, maps, presentation
from aides.choices import EtapeProjet
from aides.eligibility import describe_conditions
from aides.forms import SimulateurForm
from aides.models import Aide
from aides.montants import format_montant
from aides.relations import attach
from aides.search import relax_suggestions, run

PER_PAGE = 20


def finder(request):
    result = run(request.GET)
    paginator = Paginator(result.results, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=2))
    for item in page.object_list:
        item.montant = format_montant(item.aide)
    picker = maps.point_picker(request, result.lieu)
    context = {
        "title": "Trouver une aide",
        "form": result.search.form,
        "result": result,
        "page_obj": page,
        "notices": result.notices,
        "lieu": result.lieu,
        "date": result.search.date,
        "tri": result.search.tri,
        "fermees": result.search.cleaned.get("fermees"),
        "suggestions": relax_suggestions(result.search, result.lieu) if not result.count else [],
        "carte": picker,
        "geocoder": geocoder.enabled(),
        "demo_zones": any(r.demonstration for r in page.object_list),
        "breadcrumb_data": {"current": "Trouver une aide"},
    }
    return render(request, "aides/finder.html", context)


def detail(request, slug):
    aide = _visible_aide(request, slug)
    attach([aide])
    conditions = aide.rel.conditions
    simulateur = None
    if aide.bareme_id:
        simulateur = SimulateurForm(aide.bareme, request.GET if "faculte" in request.GET else None)
    zones = maps.zones_of_aide(request, aide, conditions) if conditions else None
    context = {
        "title": aide.nom,
        "aide": aide,
        "montant": format_montant(aide),
        "ouverte": aide.is_open_on(timezone.localdate()),
        "pour_qui": presentation.pour_qui(aide),
        "etapes": presentation.labels(aide.etapes, EtapeProjet),
        "territoire": presentation.territoire(aide),
        "conditions_lieu": describe_conditions(aide, conditions),
        "conditions": conditions,
        "simulateur": simulateur,
        "zones": zones,
        "carte": zones.carte if zones else None,
        "imprimer": request.GET.get("imprimer") == "1",
        "breadcrumb_data": {
            "links": [{"url": reverse("aides:finder"), "title": "Trouver une aide"}],
            "current": aide.sigle or aide.nom,
        },
    }
    return render(request, "aides/detail.html", context)


def _visible_aide(request, slug) -> Aide:
    """The aid if this visitor may see it: the public sees no draft; agents preview them."""
    queryset = Aide.objects.select_related("bareme")
    if not (request.user.is_authenticated and request.user.is_staff):
        queryset = queryset.published()
    aide = queryset.filter(slug=slug).first()
    if aide is None:
        raise Http404("Aucune aide publiée ne porte cette adresse.")
    return aide
