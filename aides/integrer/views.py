"""The finder on partners' sites: the page giving the snippet, and the embedded finder.

The embedded finder is the finder (aides.views.finder_context, its partials) in a light
layout: no header nor footer, no cookie (no form posts, no session), links to the portal
open in a new window, its height posted to the partner's page (static aides/integrer/).
Only its responses may be framed: `frame-ancestors` from PORTAL_EMBED_ANCESTORS (any site
by default: public data, nothing to click that changes anything) and no X-Frame-Options.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt

from aides.integrer.forms import IntegrationForm
from aides.views import finder_context

FRAME_ID = "portail-acces-soins-aides"
FRAME_HEIGHT = 900  # px, until the frame posts its height
PARTNER_SCRIPT = "aides/integrer/partenaire.js"


def page(request):
    """/integrer/: the presets form (GET) and the snippet built from it."""
    form = IntegrationForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    presets = form.presets() if form.is_bound and valid else {}
    src = request.build_absolute_uri(reverse("aides:integrer_recherche"))
    if presets:
        src += "?" + urlencode(presets)
    context = {
        "title": "Intégrer la recherche d'aides sur votre site",
        "form": form,
        "src": src,
        "extrait": render_to_string(
            "aides/integrer/extrait.html",
            {
                "src": src,
                # Not static()'s hashed name: a partner's copy must outlive our deployments
                # (the manifest storage keeps the plain name too, briefly cached).
                "script": request.build_absolute_uri(settings.STATIC_URL + PARTNER_SCRIPT),
                "frame_id": FRAME_ID,
                "hauteur": FRAME_HEIGHT,
            },
        ).strip(),
        "breadcrumb_data": {"current": "Intégrer la recherche"},
    }
    return render(request, "aides/integrer/page.html", context, status=200 if valid else 400)


def embeddable(view):
    """Let other sites frame `view`'s answers (and only these)."""

    @xframe_options_exempt
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response._csp_replace = {"frame-ancestors": list(settings.PORTAL_EMBED_ANCESTORS)}
        return response

    return wrapped


@embeddable
def recherche(request):
    """/integrer/recherche/: the finder for a partner's frame, optionally preset."""
    presets = IntegrationForm(request.GET)
    if not presets.is_valid():
        message = " ".join(e for errors in presets.errors.values() for e in errors)
        return HttpResponse(
            render_to_string("400.html", {"message": message}),
            status=400,
            content_type="text/html; charset=utf-8",
        )
    context = finder_context(request, embed=True)
    departement = presets.cleaned_data.get("departement")
    commune = context["lieu"].commune
    if departement and commune is not None and commune.departement_id != departement.pk:
        context["notices"] = [
            *context["notices"],
            f"{commune.nom} n'est pas en {departement} : les aides indiquées sont celles de "
            f"{commune.nom}.",
        ]
    context.update(
        embed=True,
        departement=departement,
        finder_action=reverse("aides:integrer_recherche"),
        effacer=reverse("aides:integrer_recherche") + _query(presets.presets()),
        portail=request.build_absolute_uri(reverse("aides:finder")) + _query(request.GET.dict()),
    )
    return render(request, "aides/integrer/recherche.html", context)


def _query(params: dict) -> str:
    return "?" + urlencode(params) if params else ""
