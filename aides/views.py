"""Public pages: the finder and the aid page. Thin: the work is in search, eligibility, maps."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from aides import frame, geocoder, maps, presentation
from aides.choices import EtapeProjet
from aides.eligibility import describe_conditions, revisions
from aides.forms import SimulateurForm
from aides.listing import listing, pages, zones_ici
from aides.models import Aide
from aides.montants import format_montant
from aides.relations import attach
from aides.search import relax_suggestions, run

# What the aid page reads of the finder's query string to judge the aid at a place.
PLACE_PARAMS = ("commune", "adresse", "lat", "lon")
VERDICT_PARAMS = (*PLACE_PARAMS, "profession", "etape", "date")


def finder(request):
    result = run(request.GET)
    keys = frame.key(request, result)
    html = frame.page(keys, request, result, _finder_page, _finder_results) if keys else None
    if html is None:
        html = _finder_page(request, result)
    return HttpResponse(html)


def _finder_page(request, result, resultats=None) -> str:
    """The page; `resultats`: what to show in place of the results (aides.frame's mark)."""
    context = finder_context(request, result)
    if resultats is not None:
        context["resultats"] = resultats
    return render_to_string("aides/finder.html", context, request)


def _finder_results(request, result) -> str:
    context = finder_context(request, result)
    return render_to_string("aides/partials/resultats.html", context, request)


def finder_context(request, result=None, *, embed: bool = False) -> dict:
    """What the finder's templates show for a search (the page and its embedded copy)."""
    result = result or run(request.GET)
    liste = listing(result, request.GET.get("page"), place_query(result), embed=embed)
    return {
        "title": "Trouver une aide",
        "form": result.search.form,
        "result": result,
        "liste": liste,
        "page_obj": pages(liste.count, liste.page),
        "notices": result.notices,
        "lieu": result.lieu,
        # The zones the answer rests on, on its date (ZRR before July 2024, FRR after).
        "zones_ici": zones_ici(result),
        "date": result.search.date,
        "tri": result.search.tri,
        "fermees": result.search.cleaned.get("fermees"),
        "suggestions": relax_suggestions(result.search, result.lieu) if not liste.count else [],
        "carte": maps.point_picker(request, result.lieu),
        "geocoder": geocoder.enabled(),
        "breadcrumb_data": {"current": "Trouver une aide"},
    }


def place_query(result) -> str:
    """ "?commune=93066&profession=infirmier": the place and profile of the search, so that
    an aid page opened from the results answers for the same place."""
    lieu, cleaned = result.lieu, result.search.cleaned
    params = {}
    if lieu.point:
        params.update(lat=lieu.lat, lon=lieu.lon)
    elif lieu.commune is not None:
        params["commune"] = lieu.commune.code
    if not params:
        return ""
    for key in ("profession", "etape"):
        if cleaned.get(key):
            params[key] = cleaned[key]
    if cleaned.get("date"):
        params["date"] = cleaned["date"].isoformat()
    return "?" + urlencode(params)


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
        "verdict": _verdict(request, aide),
        "imprimer": request.GET.get("imprimer") == "1",
        "breadcrumb_data": {
            "links": [{"url": reverse("aides:finder"), "title": "Trouver une aide"}],
            "current": aide.sigle or aide.nom,
        },
    }
    return render(request, "aides/detail.html", context)


def _verdict(request, aide) -> dict | None:
    """The aid judged at the place of the query string (the finder's parameters), by the
    finder's own search restricted to this aid (closed or not); None without a place."""
    if not any(request.GET.get(key) for key in PLACE_PARAMS):
        return None
    params = QueryDict(mutable=True)
    for key in VERDICT_PARAMS:
        if key in request.GET:
            params.setlist(key, request.GET.getlist(key))
    params["fermees"] = "on"
    result = run(params, Aide.objects.filter(pk=aide.pk))
    found = [*result.results, *result.non_applicables]
    return {
        "item": found[0] if found else None,
        "lieu": result.lieu,
        "notices": result.notices,
        "date": result.search.date,
        "revisions": revisions(found),
        "recherche": reverse("aides:finder") + place_query(result),
    }


def _visible_aide(request, slug) -> Aide:
    """The aid if this visitor may see it: the public sees no draft; agents preview them."""
    queryset = Aide.objects.select_related("bareme").filter(slug=slug)
    # The visitor is looked at only for a draft: a published page is the same for everyone
    # (no `Vary: Cookie`, so the public page cache keeps it).
    aide = queryset.published().first()
    if aide is None and request.user.is_authenticated and request.user.is_staff:
        aide = queryset.first()
    if aide is None:
        raise Http404("Aucune aide publiée ne porte cette adresse.")
    return aide
