"""Turn what a user typed as a place into a commune: INSEE code, postal code or name.

The autocomplete fills "Nom (code)"; without JavaScript people type a name or a postal
code, so an ambiguous answer lists the candidates instead of guessing.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from territoires.models import Commune, CommuneAlias
from territoires.text import normalize_name

INSEE_CODE = re.compile(r"^(\d[\dAB]\d{3})$", re.IGNORECASE)
CODE_IN_LABEL = re.compile(r"\((\d[\dAB]\d{3})\)\s*$", re.IGNORECASE)
POSTAL_CODE = re.compile(r"^\d{5}$")
MAX_CHOICES = 8


def resolve_commune(text: str) -> Commune:
    """The commune meant by `text`, or a French ValidationError (unknown or ambiguous)."""
    value = (text or "").strip()
    if not value:
        raise ValidationError("Indiquez une commune ou un code postal.", code="required")
    if len(value) > 120:
        raise ValidationError("Ce lieu est trop long.", code="max_length")
    communes = Commune.objects.with_refs()
    labelled = CODE_IN_LABEL.search(value)
    if labelled or (INSEE_CODE.match(value) and not POSTAL_CODE.match(value)):
        code = (labelled or INSEE_CODE.match(value)).group(1).upper()
        found = communes.filter(code=code).first() or _by_alias_code(code)
        if found:
            return found
        raise ValidationError(
            "Aucune commune d'Île-de-France ou du Grand Est n'a le code %(code)s.",
            code="commune_inconnue",
            params={"code": code},
        )
    if POSTAL_CODE.match(value):
        # Five digits: a postal code, or an INSEE code (they can coincide).
        matches = list(communes.filter(codes_postaux__contains=value)[:50])
        matches = [c for c in matches if value in c.liste_codes_postaux]
        # Paris, Lyon, Marseille: the arrondissement is what the postal code means.
        parents = {c.parent_id for c in matches if c.parent_id}
        matches = [c for c in matches if c.pk not in parents]
        by_code = communes.filter(code=value).first()
        if by_code and by_code not in matches:
            matches.insert(0, by_code)
        return _one(matches, f"au code {value}")
    name = normalize_name(CODE_IN_LABEL.sub("", value))
    matches = list(communes.filter(nom_normalise=name)[: MAX_CHOICES + 1])
    if not matches:
        alias = CommuneAlias.objects.filter(nom_normalise=name).select_related("commune")
        matches = list({a.commune_id: a.commune for a in alias[: MAX_CHOICES + 1]}.values())
    if not matches:
        matches = list(communes.filter(nom_normalise__startswith=name)[: MAX_CHOICES + 1])
    return _one(matches, f"à « {value} »")


def _by_alias_code(code: str) -> Commune | None:
    alias = CommuneAlias.objects.filter(code=code).select_related(
        "commune__departement", "commune__region", "commune__parent"
    )
    found = alias.first()
    return found.commune if found else None


def _one(matches: list[Commune], what: str) -> Commune:
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ValidationError(
            "Aucune commune connue ne correspond %(what)s. Vérifiez l'orthographe ou "
            "indiquez le code postal.",
            code="commune_inconnue",
            params={"what": what},
        )
    shown = ", ".join(f"{c.nom} ({c.code})" for c in matches[:MAX_CHOICES])
    more = " …" if len(matches) > MAX_CHOICES else ""
    raise ValidationError(
        "Plusieurs communes correspondent %(what)s : %(shown)s%(more)s. Précisez en "
        "indiquant le code entre parenthèses, par exemple « %(example)s ».",
        code="commune_ambigue",
        params={
            "what": what,
            "shown": shown,
            "more": more,
            "example": f"{matches[0].nom} ({matches[0].code})",
        },
    )
