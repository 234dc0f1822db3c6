"""Turn what a user typed as a place into one commune, with the autocomplete's own search.

The autocomplete fills "Nom (code)"; without JavaScript people type a name or a postal
code, matched by `territoires.search.search_communes`. One exact match is taken; several
(a postal code shared by villages) or only approximate ones are listed back to the user
instead of guessing.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from territoires.models import Commune, CommuneAlias
from territoires.search import EXACT, search_communes

CODE_IN_LABEL = re.compile(r"\((\d[\dAB]\d{3})\)\s*$", re.IGNORECASE)
MAX_CHOICES = 8


def resolve_commune(text: str) -> Commune:
    """The commune meant by `text`, or a French ValidationError (unknown or ambiguous)."""
    value = (text or "").strip()
    if not value:
        raise ValidationError("Indiquez une commune ou un code postal.", code="required")
    if len(value) > 120:
        raise ValidationError("Ce lieu est trop long.", code="max_length")
    labelled = CODE_IN_LABEL.search(value)
    if labelled:
        return _by_code(labelled.group(1).upper())
    matches = search_communes(value, limit=50)
    exact = [m for m in matches if m.rank == EXACT]
    if any(m.alias is None for m in exact):  # a former code or name only as a last resort
        exact = [m for m in exact if m.alias is None]
    exact = [m.commune for m in exact]
    # Paris, Lyon, Marseille: a postal code means the arrondissement, not the whole city.
    parents = {c.parent_id for c in exact if c.parent_id}
    exact = [c for c in exact if c.pk not in parents]
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise _ambiguous(exact, f"à « {value} »")
    if matches:
        shown = ", ".join(f"{m.commune.nom} ({m.commune.code})" for m in matches[:MAX_CHOICES])
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


def _by_code(code: str) -> Commune:
    found = Commune.objects.with_refs().filter(code=code).first()
    if found is None:
        alias = CommuneAlias.objects.filter(code=code).select_related("commune").first()
        found = alias.commune if alias else None
    if found is None:
        raise ValidationError(
            "Aucune commune d'Île-de-France ou du Grand Est n'a le code %(code)s.",
            code="commune_inconnue",
            params={"code": code},
        )
    return found


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
