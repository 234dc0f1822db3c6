"""« Où m'installer ? » (/aides/ou-minstaller/): the page, its table and its CSV. Thin: the
answers are in `aides.installation.search`, the map in `aides.installation.maps`."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from aides.installation import maps, search
from aides.installation.forms import PROFILE, SORTS, OuMInstallerForm
from portal.lib.spreadsheets import csv_response
from territoires.models import Profession

PER_PAGE = 50
TITLE = "Où m'installer ?"
CSV_HEADER = [
    "code_insee", "commune", "departement", "nombre_aides", "dont_a_verifier",
    "montant_cumule_connu_euros", "aides_sans_montant_connu", "zones", "recherche",
]  # fmt: skip


def ou_minstaller(request):
    form = OuMInstallerForm(request.GET or None)
    context = {
        "title": TITLE,
        "breadcrumb_data": {
            "links": [{"url": reverse("aides:finder"), "title": "Trouver une aide"}],
            "current": TITLE,
        },
        "form": form,
        "sorts": SORTS,
    }
    if not form.is_bound:
        return render(request, "aides/ou_minstaller.html", context)
    if not form.is_valid():
        return render(request, "aides/ou_minstaller.html", context, status=400)
    profile = form.finder_params()
    result = search.run(profile, form.chosen_region, form.chosen_departement)
    lignes = search.sorted_lines(result.lignes, form.chosen_tri)
    if form.cleaned_data.get("format") == "csv":
        return _csv(request, lignes, profile)
    paginator = Paginator(lignes, PER_PAGE)
    page = paginator.get_page(form.cleaned_data.get("page"))
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=2))
    rows = [(ligne, _finder_url(ligne.code, profile)) for ligne in page.object_list]
    bins = maps.classes(result.lignes)
    territoire = form.chosen_departement or form.chosen_region
    context.update(
        result=result,
        page_obj=page,
        rows=rows,
        classes=bins,
        territoire=territoire,
        carte=maps.carte(request, result.lignes, bins, detail=form.chosen_departement is not None)
        if result.lignes
        else None,
        tri=form.chosen_tri,
        profession=Profession(profile["profession"]).label,
        csv_query=_query(request, format="csv", page=None),
        sort_links=[
            (key, label, _query(request, tri=key, page=None)) for key, label in SORTS.items()
        ],
        resume=_resume(result, territoire),
    )
    return render(request, "aides/ou_minstaller.html", context)


def _finder_url(code: str, profile) -> str:
    """The finder for this place and profile: its answer is the row's."""
    params = {"commune": code, **{k: profile[k] for k in PROFILE if k in profile}}
    return reverse("aides:finder") + "?" + urlencode(params)


def _query(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return "?" + params.urlencode()


def _resume(result, territoire) -> list[str]:
    lignes = result.lignes
    where = territoire.nom if territoire is not None else "tout le territoire couvert"
    if not lignes:
        return [f"Aucune commune chargée pour {where}."]
    with_aids = sum(1 for ligne in lignes if ligne.reponse.aides)
    best = max(ligne.reponse.aides for ligne in lignes)
    return [
        f"{len(lignes)} communes ou arrondissements ({where}) ; {with_aids} ont au moins une "
        f"aide applicable ou à vérifier, jusqu'à {best} au même endroit.",
        f"{result.signatures} situations différentes (mêmes zones, même territoire) ont été "
        "jugées : les communes d'une même situation ont la même réponse.",
    ]


def _csv(request, lignes, profile):
    rows = (
        (
            ligne.code,
            ligne.nom,
            ligne.departement,
            ligne.reponse.aides,
            ligne.reponse.a_verifier,
            ligne.reponse.montant,
            " ; ".join(ligne.reponse.sans_montant),
            " ; ".join(f"{z.libelle} ({z.source})" for z in ligne.zones),
            request.build_absolute_uri(_finder_url(ligne.code, profile)),
        )
        for ligne in lignes
    )
    return csv_response(f"ou-minstaller-{profile['profession']}.csv", CSV_HEADER, rows)
