"""Turn what a user typed as a place into one commune, or a French error that says why not.

The autocomplete fills "Nom (code)"; without JavaScript people type a name or a postal
code. Which commune that means, and when it is ambiguous, is `territoires.resolver`'s rule
(the same for every form of the portal); this module only words the answer for the aid
finder and the internship simulator.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from territoires.models import Commune
from territoires.resolver import Outcome, resolve

MAX_CHOICES = 8


def resolve_commune(text: str) -> Commune:
    """The commune meant by `text`, or a French ValidationError (unknown or ambiguous)."""
    value = (text or "").strip()
    if not value:
        raise ValidationError("Indiquez une commune ou un code postal.", code="required")
    if len(value) > 120:
        raise ValidationError("Ce lieu est trop long.", code="max_length")
    resolution = resolve(value)
    if resolution.found:
        return resolution.commune
    if resolution.outcome is Outcome.AMBIGUOUS:
        what = f"au code {resolution.code}" if resolution.code else f"à « {value} »"
        raise _ambiguous(resolution.candidates, what)
    if resolution.code:
        raise ValidationError(
            "Aucune commune d'Île-de-France ou du Grand Est n'a le code %(code)s.",
            code="commune_inconnue",
            params={"code": resolution.code},
        )
    if resolution.outcome is Outcome.APPROXIMATE:
        shown = ", ".join(f"{c.nom} ({c.code})" for c in resolution.candidates[:MAX_CHOICES])
        raise ValidationError(
            "Aucune commune ne s'appelle exactement « %(value)s ». Vouliez-vous dire : "
            "%(shown)s ? Indiquez le nom complet ou le code entre parenthèses.",
            code="commune_approchee",
            params={"value": value, "shown": shown},
        )
    raise ValidationError(
        "Aucune commune d'Île-de-France ou du Grand Est ne correspond à « %(value)s ». "
        "Vérifiez l'orthographe ou indiquez le code postal.",
        code="commune_inconnue",
        params={"value": value},
    )


def _ambiguous(communes: list[Commune], what: str) -> ValidationError:
    shown = ", ".join(f"{c.nom} ({c.code})" for c in communes[:MAX_CHOICES])
    more = " …" if len(communes) > MAX_CHOICES else ""
    return ValidationError(
        "Plusieurs communes correspondent %(what)s : %(shown)s%(more)s. Précisez en "
        "indiquant le code entre parenthèses, par exemple « %(example)s ».",
        code="commune_ambigue",
        params={
            "what": what,
            "shown": shown,
            "more": more,
            "example": f"{communes[0].nom} ({communes[0].code})",
        },
    )
