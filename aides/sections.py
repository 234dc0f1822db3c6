"""The aids section of the territoires département page (registered by AidesConfig.ready())."""

from django.utils import timezone

from aides.eligibility import evaluate_departement
from aides.models import Aide
from aides.montants import format_montant
from territoires.sections import register
from territoires.zonages.sections import departement_zones


def aides(request, departement) -> dict:
    """Published aids open today that apply in at least part of the département, and why."""
    today = timezone.localdate()
    queryset = Aide.objects.published().open_on(today).order_by("nom")
    zones = departement_zones(request, departement)
    found = [
        {"aide": r.aide, "pourquoi": str(r.raisons[0]), "montant": format_montant(r.aide)}
        for r in evaluate_departement(queryset, departement, zones, today)
    ]
    return {"departement": departement, "aides": found}


def register_sections() -> None:
    # After the zonings (10-11) and the structures (20) of the other apps.
    register("departement", "public-aides", "aides/departement.html", aides, 40)
