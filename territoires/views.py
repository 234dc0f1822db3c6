"""Public pages of a département and a commune, and the commune autocomplete."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.lib.responses import json_response
from territoires.maps import contour_map, contour_of
from territoires.models import Commune, CommuneAlias, Contour, Departement
from territoires.search import as_json, search_communes
from territoires.sections import sections_for

ALIAS_TITLES = {
    CommuneAlias.Kind.DELEGUEE: "Communes déléguées",
    CommuneAlias.Kind.ASSOCIEE: "Communes associées",
    CommuneAlias.Kind.ANCIEN_CODE: "Anciens codes INSEE",
}


def alias_rows(aliases) -> list[tuple[str, str]]:
    """[(title, "Pierrefitte-sur-Seine (93059), …")] for the commune's table."""
    rows: dict[str, list[str]] = {}
    for alias in aliases:
        if alias.kind == CommuneAlias.Kind.ANCIEN_CODE:
            text = f"{alias.code} ({alias.nom})" if alias.nom else alias.code
        else:
            text = f"{alias.nom} ({alias.code})"
        rows.setdefault(ALIAS_TITLES[alias.kind], []).append(text)
    return [(title, ", ".join(items)) for title, items in rows.items()]


@require_GET
def departement(request, code):
    dep = Departement.objects.select_related("region").filter(code=code.upper()).first()
    if dep is None:
        raise Http404(f"Aucun département ne porte le code « {code} ».")
    communes = sorted(
        dep.communes.communes().select_related("epci", "ept"), key=lambda c: c.nom_normalise
    )
    contour = contour_of(Contour.Niveau.DEPARTEMENT, dep.code)
    context = {
        "title": f"{dep.nom} ({dep.code})",
        "departement": dep,
        "communes": communes,
        "population": sum(c.population or 0 for c in communes),
        "carte": contour_map(request, contour, dep.nom),
        "sections": sections_for("departement", request, dep),
        "breadcrumb_data": {"current": f"{dep.nom} ({dep.code})"},
    }
    return render(request, "territoires/departement.html", context)


@require_GET
def commune(request, code):
    com = Commune.objects.with_refs().filter(code=code.upper()).first()
    if com is None:
        raise Http404(f"Aucune commune ne porte le code INSEE « {code} ».")
    links = [{"url": com.departement.get_absolute_url(), "title": str(com.departement)}]
    if com.parent:
        links.append({"url": com.parent.get_absolute_url(), "title": com.parent.nom})
    context = {
        "title": f"{com.nom} ({com.code})",
        "commune": com,
        "arrondissements": list(com.arrondissements.order_by("code")),
        "alias": alias_rows(com.alias.order_by("kind", "code")),
        "carte": contour_map(request, contour_of(Contour.Niveau.COMMUNE, com.code), com.nom),
        "sections": sections_for("commune", request, com),
        "breadcrumb_data": {"links": links, "current": com.nom},
    }
    return render(request, "territoires/commune.html", context)


@require_GET
def recherche_communes(request):
    """Autocomplete: JSON list of at most 20 communes, `[]` for an empty or bad query."""
    matches = [as_json(match) for match in search_communes(request.GET.get("q"))]
    return json_response(matches, headers={"Access-Control-Allow-Origin": "*"})
