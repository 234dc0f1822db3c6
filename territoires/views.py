from django.shortcuts import get_object_or_404, render

from territoires.models import Commune, Departement


def departement(request, code):
    dep = get_object_or_404(Departement.objects.select_related("region"), code=code)
    return render(request, "territoires/departement.html", {"departement": dep, "title": dep.nom})


def commune(request, code):
    com = get_object_or_404(Commune.objects.with_refs(), code=code)
    return render(request, "territoires/commune.html", {"commune": com, "title": com.nom})
