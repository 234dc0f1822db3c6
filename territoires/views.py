from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from territoires.api import json_response
from territoires.models import Commune, Departement
from territoires.search import as_json, search_communes


def departement(request, code):
    dep = get_object_or_404(Departement.objects.select_related("region"), code=code)
    return render(request, "territoires/departement.html", {"departement": dep, "title": dep.nom})


def commune(request, code):
    com = get_object_or_404(Commune.objects.with_refs(), code=code)
    return render(request, "territoires/commune.html", {"commune": com, "title": com.nom})


@require_GET
def recherche_communes(request):
    """Autocomplete: JSON list of at most 20 communes, `[]` for an empty or bad query."""
    return json_response([as_json(match) for match in search_communes(request.GET.get("q"))])
