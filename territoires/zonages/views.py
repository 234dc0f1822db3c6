"""Public "Zonages" page: the zones of a département for a profession, and "À cette adresse"."""

from django.shortcuts import render

from portal.lib.maps import render_map
from territoires.zonages import maps
from territoires.zonages.display import zones_commune_context
from territoires.zonages.forms import CHOIX_ZONAGE, AdresseForm, ZonageCarteForm, departements
from territoires.zonages.lookup import acts_in_force

CARTE_FIELDS = ("profession", "departement", "date")


def index(request):
    deps = {d.code: d for d in departements()}
    choices = [(code, f"{d.nom} ({code})") for code, d in deps.items()]
    bound = any(request.GET.get(name) for name in CARTE_FIELDS)
    form = ZonageCarteForm(request.GET if bound else None, departements_choices=choices)
    adresse = AdresseForm(request.GET if "lieu" in request.GET else None)
    context = {
        "title": "Zonages",
        "breadcrumb_data": {"current": "Zonages"},
        "form": form,
        "adresse": adresse,
        "etat": {k: request.GET[k] for k in CARTE_FIELDS if request.GET.get(k)},
    }
    valid = True
    if form.is_bound:
        valid = form.is_valid()
    date = form.cleaned_data.get("date") if valid and form.is_bound else None
    if form.is_bound and valid:
        departement = deps[form.cleaned_data["departement"]]
        choice = form.cleaned_data["profession"]
        label = dict(CHOIX_ZONAGE)[choice]
        carte = maps.build(departement, choice, date=date)
        context.update(
            carte=carte,
            choix=label,
            departement=departement,
            resume=maps.summary(carte, departement, label),
            legende=f"Carte des zones « {label} » — {departement.nom}",
        )
        if carte.features or carte.polygones:
            context["carte_rendue"] = render_map(maps.folium_map(carte), request)
    if adresse.is_bound:
        if adresse.is_valid():
            context.update(zones_commune_context(adresse.cleaned_data["lieu"], date=date))
        elif not adresse.has_error("lieu", code="ambigu"):
            valid = False  # an ambiguous name is answered with a choice, not an error
    if not form.is_bound:
        context["actes"] = acts_in_force()
    context["demonstration"] = (
        getattr(context.get("carte"), "demonstration", False)
        or context.get("zones_demonstration", False)
        or any(a.demonstration for a in context.get("actes", ()))
    )
    return render(request, "territoires/zonages/index.html", context, status=200 if valid else 400)
