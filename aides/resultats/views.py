"""Results to keep: a finder result sent by e-mail (its print layout is the finder page's
own @media print, aides/static/aides/aides.css).

The address is used for the one message and kept nowhere (no model, no log, no session);
the rate limits count HMACs of it and of the client address in the cache (portal.lib.
ratelimit). The search is the query string of the form's action: the same answer as the page,
from the finder's cache.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format

from aides.eligibility import Statut
from aides.montants import format_montant
from aides.resultats.forms import CourrielForm
from aides.search import run
from aides.views import place_query
from portal.lib import mail
from portal.lib.clients import client_ip
from portal.lib.ratelimit import Limit, allow

PER_ADDRESS = 3  # messages per address and hour
PER_CLIENT = 10  # messages per client address and hour
WINDOW = 60 * 60
SUBJECT_MAX = 150


def courriel(request):
    """GET: the form for this search; POST: send the list (400 on a bad address, 429)."""
    result = run(request.GET)
    liste = _liste(request, result)
    form = CourrielForm(request.POST if request.method == "POST" else None)
    context = {
        "title": "Recevoir cette liste par courriel",
        "form": form,
        "liste": liste,
        "breadcrumb_data": {
            "links": [{"url": liste["recherche_complete"], "title": "Trouver une aide"}],
            "current": "Recevoir par courriel",
        },
    }
    if request.method != "POST":
        return render(request, "aides/resultats/courriel.html", context)
    if not form.is_valid():
        return render(request, "aides/resultats/courriel.html", context, status=400)
    address = form.cleaned_data["courriel"]
    limits = (
        Limit("aides-courriel:adresse", address.lower(), PER_ADDRESS, WINDOW),
        Limit("aides-courriel:client", client_ip(request), PER_CLIENT, WINDOW),
    )
    if not allow(*limits):
        context["minutes"] = WINDOW // 60
        return render(request, "aides/resultats/trop_de_demandes.html", context, status=429)
    _send(address, liste)
    return render(request, "aides/resultats/envoye.html", context)


def _liste(request, result) -> dict:
    """The result as the message tells it: every listed aid with its reasons and link."""
    place = place_query(result)
    lieu = result.lieu
    if lieu.commune is not None:
        ou = f"à {lieu.commune.nom}"
    elif lieu.point:
        ou = "au point choisi"
    else:
        ou = "sans lieu indiqué"
    items = [
        {
            "nom": r.aide.nom + (f" ({r.aide.sigle})" if r.aide.sigle else ""),
            "statut": Statut(r.statut).label,
            "montant": format_montant(r.aide),
            "raisons": [raison.texte for raison in r.raisons],
            "a_verifier": [raison.texte for raison in r.incertitudes],
            "lien": request.build_absolute_uri(r.aide.get_absolute_url() + place),
        }
        for r in result.results
    ]
    return {
        "ou": ou,
        "date": result.search.date,
        "connu": lieu.connu,
        "items": items,
        "nombre": len(items),
        "recherche": reverse("aides:finder") + (place or ""),
        "recherche_complete": request.build_absolute_uri(
            reverse("aides:finder") + ("?" + request.GET.urlencode() if request.GET else "")
        ),
    }


def _send(address: str, liste: dict) -> None:
    context = {"liste": liste, "site": "Portail de l'accès aux soins"}
    subject = (
        f"{liste['nombre']} aide{'s' if liste['nombre'] > 1 else ''} à l'installation "
        f"{liste['ou']}, au {date_format(liste['date'], 'j F Y')}"
    )
    mail.send(
        address, subject, "aides/resultats/courriel.txt",
        "aides/resultats/courriel_message.html", context, subject_max=SUBJECT_MAX,
    )  # fmt: skip
