"""Public "Zonages" page: the zones of a département for a profession, "À cette adresse", and
without a choice the acts in force (on `?date=` too) with the rural acts they replaced."""

from django.shortcuts import render

from portal.lib.maps import render_map
from territoires.zonages import maps
from territoires.zonages.display import Acte, actes_context, zones_commune_context
from territoires.zonages.forms import CHOIX_ZONAGE, AdresseForm, ZonageCarteForm, departements

CHOICE_FIELDS = ("profession", "departement")
CARTE_FIELDS = (*CHOICE_FIELDS, "date")


def index(request):
    deps = {d.code: d for d in departements()}
    choices = [(code, f"{d.nom} ({code})") for code, d in deps.items()]
    choice = any(request.GET.get(name) for name in CHOICE_FIELDS)
    bound = choice or bool(request.GET.get("date"))
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
        if not choice:  # ?date= alone: the acts in force that day; only the date is judged
            form.errors.pop("profession", None)
            form.errors.pop("departement", None)
            valid = not form.errors
    date = form.cleaned_data.get("date") if valid and form.is_bound else None
    if choice and valid:
        departement = deps[form.cleaned_data["departement"]]
        zonage = form.cleaned_data["profession"]
        label = dict(CHOIX_ZONAGE)[zonage]
        carte = maps.build(departement, zonage, date=date)
        context.update(
            carte=carte,
            choix=label,
            departement=departement,
            resume=maps.summary(carte, departement, label),
            legende=f"Carte des zones « {label} » — {departement.nom}",
            actes_carte=[Acte.of_match(m) for m in carte.actes],
        )
        if carte.features or carte.polygones:
            context["carte_rendue"] = render_map(maps.folium_map(carte), request)
    if adresse.is_bound:
        if adresse.is_valid():
            context.update(zones_commune_context(adresse.cleaned_data["lieu"], date=date))
        elif not adresse.has_error("lieu", code="ambigu"):
            valid = False  # an ambiguous name is answered with a choice, not an error
    if not choice:
        context.update(actes_context(date))
    context["choix_zonage"] = choice
    context["demonstration"] = (
        getattr(context.get("carte"), "demonstration", False)
        or context.get("zones_demonstration", False)
        or any(ligne.acte.demonstration for ligne in context.get("actes", ()))
    )
    return render(request, "territoires/zonages/index.html", context, status=200 if valid else 400)
