"""Commune search for autocomplete: names, postal codes, INSEE codes and former names.

Names are compared in their normalised form (`territoires.text.normalize_name`: no case,
accents, hyphens; "saint" written "st"), so "saint denis", "St-Denis" and "SAINT DENIS" are
the same query. Ranking: exact match, then prefix, then a later word's prefix; within a
rank, the larger population first. Communes déléguées/associées (CommuneAlias) find their
current commune, ranked just after a direct match of the same kind.
"""

import re
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, Value, When

from territoires.models import Commune, CommuneAlias
from territoires.text import normalize_name

MAX_RESULTS = 20
MAX_QUERY_LENGTH = 100
# INSEE codes (75056, 2A004) and postal codes, whole or started.
_CODE = re.compile(r"^[0-9][0-9AB][0-9]{0,3}$")

EXACT, PREFIX, WORD = 0, 1, 2


@dataclass(frozen=True)
class Match:
    commune: Commune
    rank: int
    alias: CommuneAlias | None = None

    def sort_key(self):
        return (
            self.rank,
            self.alias is not None,
            -(self.commune.population or 0),
            self.commune.nom,
        )


def _name_rank(field: str, value: str) -> Case:
    return Case(
        When(**{field: value}, then=Value(EXACT)),
        When(**{f"{field}__startswith": value}, then=Value(PREFIX)),
        default=Value(WORD),
        output_field=IntegerField(),
    )


def _by_name(query: str, limit: int) -> list[Match]:
    condition = Q(nom_normalise__startswith=query) | Q(nom_normalise__contains=" " + query)
    communes = (
        Commune.objects.filter(condition)
        .select_related("departement")
        .annotate(rang=_name_rank("nom_normalise", query))
        .order_by("rang", F("population").desc(nulls_last=True), "nom")[:limit]
    )
    aliases = (
        CommuneAlias.objects.filter(condition)
        .exclude(nom_normalise="")
        .select_related("commune__departement")
        .annotate(rang=_name_rank("nom_normalise", query))
        .order_by("rang", F("commune__population").desc(nulls_last=True), "nom")[:limit]
    )
    return [Match(c, c.rang) for c in communes] + [Match(a.commune, a.rang, a) for a in aliases]


def _by_code(code: str, limit: int) -> list[Match]:
    """INSEE codes and postal codes: exact first, then those starting with `code`."""
    matches = []
    candidates = Commune.objects.filter(
        Q(code__startswith=code) | Q(codes_postaux__contains=code)
    ).select_related("departement")
    for commune in candidates:
        codes = [commune.code, *commune.liste_codes_postaux]
        if code in codes:
            matches.append(Match(commune, EXACT))
        elif any(c.startswith(code) for c in codes):
            matches.append(Match(commune, PREFIX))
    if len(code) == 5:  # a former INSEE code leads to the commune that absorbed it
        for alias in CommuneAlias.objects.filter(code=code).select_related("commune__departement"):
            matches.append(Match(alias.commune, EXACT, alias))
    return matches


def search_communes(query, limit: int = MAX_RESULTS) -> list[Match]:
    """Best matches first, one per commune; [] for an empty or meaningless query."""
    if not isinstance(query, str):
        return []
    query = query.strip()[:MAX_QUERY_LENGTH]
    compact = re.sub(r"\s+", "", query).upper()
    if _CODE.match(compact):
        matches = _by_code(compact, limit)
    else:
        normalised = normalize_name(query)
        if not normalised or not any(ch.isalnum() for ch in normalised):
            return []
        matches = _by_name(normalised, limit)
    best = {}
    for match in sorted(matches, key=Match.sort_key):
        best.setdefault(match.commune.pk, match)
    return list(best.values())[:limit]


def as_json(match: Match) -> dict:
    commune = match.commune
    item = {
        "code": commune.code,
        "nom": commune.nom,
        "type": commune.type,
        "departement": {"code": commune.departement.code, "nom": commune.departement.nom},
        "codes_postaux": commune.liste_codes_postaux,
        "population": commune.population,
        "url": commune.get_absolute_url(),
        "alias": None,
    }
    if match.alias is not None:
        item["alias"] = {
            "code": match.alias.code,
            "nom": match.alias.nom,
            "nature": match.alias.get_kind_display(),
        }
    return item
