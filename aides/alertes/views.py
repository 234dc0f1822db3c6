"""Alert pages: « Me prévenir », confirmation, unsubscribe (one click), deleting every alert
of an address. Every answer about an address is the same whether it is known or not."""

from django.conf import settings
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from aides.alertes import abonnements, courriels, digest, liens, limites
from aides.alertes.forms import AlerteForm, EmailForm
from aides.alertes.models import Alerte

BREADCRUMB = {"links": [{"url": "/aides/", "title": "Trouver une aide"}]}


def _page(request, title, paragraphs, status=200, **extra):
    context = {
        "title": title,
        "paragraphes": paragraphs,
        "breadcrumb_data": {**BREADCRUMB, "current": title},
        **extra,
    }
    return render(request, "aides/alertes/message.html", context, status=status)


def _trop(request):
    minutes = settings.ALERTES_LIMITE_FENETRE // 60
    response = _page(
        request,
        "Trop de demandes",
        [
            "Trop de demandes d'alerte ont été faites depuis votre connexion ou pour cette "
            f"adresse électronique. Réessayez dans {minutes} minutes."
        ],
        status=429,
    )
    response["Retry-After"] = str(settings.ALERTES_LIMITE_FENETRE)
    return response


def _posted(request, form_class):
    """The posted form, and the 429 page instead when this client, or this address, asked
    too often (both counted before the address is looked up: known or not, the same)."""
    if not limites.allow_client(request):
        return None, _trop(request)
    form = form_class(request.POST)
    if form.is_valid() and not limites.allow_address(form.cleaned_data["email"]):
        return form, _trop(request)
    return form, None


ENVOYE = [
    "Si cette adresse peut recevoir l'alerte, un courriel vient de lui être envoyé avec un "
    "lien de confirmation. L'alerte ne démarre qu'une fois ce lien ouvert.",
    "Sans confirmation sous 7 jours, la demande et l'adresse sont supprimées.",
]


@require_http_methods(["GET", "POST"])
def creer(request):
    if request.method == "POST":
        form, refused = _posted(request, AlerteForm)
        if refused is not None:
            return refused
        if form.is_valid():
            email = form.cleaned_data["email"]
            abonnements.subscribe(
                email, form.cleaned_data["recherche"], digest.libelle_of(form.resultat)
            )
            return _page(request, "Vérifiez votre messagerie", ENVOYE)
        status = 400
    else:
        form = AlerteForm(initial={"recherche": request.GET.urlencode()})
        status = 200
    recherche = request.POST.get("recherche") if request.method == "POST" else None
    resultat = _apercu(recherche if recherche is not None else request.GET.urlencode())
    context = {
        "title": "Me prévenir des changements",
        "form": form,
        "resultat": resultat,
        "breadcrumb_data": {**BREADCRUMB, "current": "Me prévenir"},
    }
    return render(request, "aides/alertes/creer.html", context, status=status)


def _apercu(query: str):
    """What the form will follow: its label and the finder link, or None without a place."""
    result = digest.answer(QueryDict(query).urlencode())
    if result.lieu.commune is None:
        return None
    recherche = digest.recherche_of(result)
    return {
        "libelle": digest.libelle_of(result),
        "nombre": result.count,
        "lien": reverse("aides:finder") + "?" + recherche,
    }


def _lien_invalide(request):
    return _page(
        request,
        "Lien invalide ou expiré",
        [
            "Ce lien n'est pas (ou plus) valable : l'alerte a peut-être déjà été supprimée, "
            "ou la demande a expiré. Vous pouvez refaire une recherche et demander une "
            "nouvelle alerte."
        ],
        status=404,
    )


@require_http_methods(["GET", "POST"])
def confirmer(request, signed):
    alerte = liens.alerte(signed, liens.CONFIRMER)
    if alerte is None or (alerte.etat == Alerte.Etat.EN_ATTENTE and abonnements.is_expired(alerte)):
        return _lien_invalide(request)
    if request.method == "POST":
        abonnements.confirm(alerte)
        return _page(
            request,
            "Alerte confirmée",
            [
                f"Votre alerte « {alerte.libelle} » est active. Vous recevrez un courriel par "
                "semaine au plus, seulement quand quelque chose change : une nouvelle aide, une "
                "aide qui ferme dans les 30 jours, ou le zonage de ce lieu.",
                "Chaque courriel contient un lien pour vous désabonner en un clic.",
            ],
        )
    return render(
        request,
        "aides/alertes/bouton.html",
        {
            "title": "Confirmer votre alerte",
            "texte": f"Confirmez l'alerte « {alerte.libelle} » pour {alerte.email}.",
            "bouton": "Confirmer l'alerte",
            "breadcrumb_data": {**BREADCRUMB, "current": "Confirmer votre alerte"},
        },
    )


DESABONNE = ["Vous ne recevrez plus de courriel pour cette alerte. L'adresse a été supprimée."]


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a token
@require_http_methods(["GET", "POST"])
def desabonner(request, signed):
    if liens.jeton(signed, liens.DESABONNER) is None:
        return _lien_invalide(request)
    alerte = liens.alerte(signed, liens.DESABONNER)
    if request.method == "POST":  # twice: the same answer (the alert is already gone)
        if alerte is not None:
            alerte.delete()
        return _page(request, "Désabonnement effectué", DESABONNE)
    if alerte is None:
        return _lien_invalide(request)
    return render(
        request,
        "aides/alertes/bouton.html",
        {
            "title": "Se désabonner",
            "texte": f"Ne plus recevoir l'alerte « {alerte.libelle} » à {alerte.email}.",
            "bouton": "Me désabonner",
            "breadcrumb_data": {**BREADCRUMB, "current": "Se désabonner"},
        },
    )


@require_http_methods(["GET", "POST"])
def supprimer(request):
    """Asks for an address, and e-mails it a link deleting all of its alerts (if it has any:
    the page says the same either way)."""
    if request.method == "POST":
        form, refused = _posted(request, EmailForm)
        if refused is not None:
            return refused
        if form.is_valid():
            email = form.cleaned_data["email"]
            alerte = Alerte.objects.of_address(email).first()
            if alerte is not None:
                courriels.suppression(alerte)
            return _page(
                request,
                "Vérifiez votre messagerie",
                [
                    "Si des alertes sont enregistrées pour cette adresse, un courriel vient de "
                    "lui être envoyé avec un lien pour les supprimer toutes. Le lien est "
                    "valable 7 jours."
                ],
            )
        status = 400
    else:
        form, status = EmailForm(), 200
    context = {
        "title": "Supprimer mes alertes",
        "form": form,
        "breadcrumb_data": {**BREADCRUMB, "current": "Supprimer mes alertes"},
    }
    return render(request, "aides/alertes/supprimer.html", context, status=status)


@csrf_exempt  # the one-click unsubscribe of the deletion message (RFC 8058)
@require_http_methods(["GET", "POST"])
def supprimer_confirmer(request, signed):
    max_age = liens.SUPPRESSION_VALIDITE.total_seconds()
    if liens.jeton(signed, liens.SUPPRIMER, max_age=max_age) is None:
        return _lien_invalide(request)
    alerte = liens.alerte(signed, liens.SUPPRIMER, max_age=max_age)
    if request.method == "POST":
        if alerte is not None:
            Alerte.objects.of_address(alerte.email).delete()
        return _page(
            request,
            "Alertes supprimées",
            ["Toutes les alertes de cette adresse ont été supprimées, avec l'adresse."],
        )
    if alerte is None:
        return _lien_invalide(request)
    return render(
        request,
        "aides/alertes/bouton.html",
        {
            "title": "Supprimer toutes mes alertes",
            "texte": f"Supprimer toutes les alertes de {alerte.email}.",
            "bouton": "Supprimer toutes mes alertes",
            "breadcrumb_data": {**BREADCRUMB, "current": "Supprimer mes alertes"},
        },
    )
