from django.shortcuts import render
from django.urls import reverse


def home(request):
    journeys = {
        "aides": reverse("aides:finder"),
        "carte": reverse("structures:carte"),
        "zonages": reverse("zonages:index"),
        "agents": reverse("admin:index"),
    }
    return render(request, "portal/home.html", {"title": "Accueil", "journeys": journeys})


def accessibilite(request):
    return render(request, "portal/accessibilite.html", {"title": "Accessibilité"})


def mentions(request):
    return render(request, "portal/mentions.html", {"title": "Mentions légales"})


def coming_soon(request, title):
    """Placeholder for a journey not yet delivered: says so instead of a 404."""
    return render(request, "portal/coming_soon.html", {"title": title})


def page_not_found(request, exception):
    return render(request, "404.html", {"title": "Page non trouvée"}, status=404)


def server_error(request):
    # No context processors may run (the database may be what failed): a plain template.
    return render(request, "500.html", status=500)
