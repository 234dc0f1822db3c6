"""What a person or a caller wrote → the one commune meant, with one ambiguity rule.

Every "text or code → commune" of the portal goes through here (the aid finder and the
internship simulator, the zonages page's "À cette adresse", the API's `?commune=`); each
caller only words the answer. The rule:

1. "Nom (code)", as the autocomplete fills it, names an INSEE code: the commune with that
   code, else the commune(s) that absorbed it (a former code). A bare current INSEE code is
   that commune too, whatever postal code it also looks like (a code names one commune).
2. Otherwise the exact matches of `territoires.search.search_communes` (name, postal code,
   former code or name of a commune déléguée/associée) are kept, with two preferences:
   a current commune hides a former one (a former code or name is a last resort), and an
   arrondissement hides its commune (in Paris, Lyon, Marseille a postal code means the
   arrondissement).
3. One commune left: found. Several: ambiguous, and they are listed. No exact match but
   approximate ones: never a guess, they are suggested. Nothing: unknown.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace

from django.db.models import F

from territoires.models import Commune, CommuneAlias
from territoires.search import EXACT, search_communes

# "Provins (77379)", as the autocomplete and the suggestions write a commune.
CODE_IN_LABEL = re.compile(r"\((\d[\dAB]\d{3})\)\s*$", re.IGNORECASE)
INSEE_CODE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$")
SEARCH_LIMIT = 50  # more exact matches than that would be a list, not an answer


class Outcome(enum.Enum):
    FOUND = "found"
    AMBIGUOUS = "ambiguous"  # several exact matches: `candidates`
    APPROXIMATE = "approximate"  # no exact match, some close ones: `candidates`
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Resolution:
    outcome: Outcome
    commune: Commune | None = None
    candidates: list[Commune] = field(default_factory=list)
    code: str | None = None  # the code asked for, when `text` named one in "Nom (code)"

    @property
    def found(self) -> bool:
        return self.outcome is Outcome.FOUND


UNKNOWN = Resolution(Outcome.UNKNOWN)


def _decide(communes: list[Commune]) -> Resolution:
    if len(communes) == 1:
        return Resolution(Outcome.FOUND, communes[0])
    if communes:
        return Resolution(Outcome.AMBIGUOUS, candidates=communes)
    return UNKNOWN


def _prefer(exact: list[tuple[Commune, bool]]) -> list[Commune]:
    """Rule 2 on (commune, through an alias) pairs, in the search's order."""
    if any(not through_alias for _, through_alias in exact):
        exact = [pair for pair in exact if not pair[1]]
    communes = [commune for commune, _ in exact]
    parents = {c.parent_id for c in communes if c.parent_id}
    return [c for c in communes if c.pk not in parents]


def resolve_code(code: str) -> Resolution:
    """A commune by INSEE code (the cache, else one query), else by former code."""
    code = (code or "").strip().upper()
    found = Commune.objects.by_codes([code]).get(code)
    if found is not None:
        return Resolution(Outcome.FOUND, found)
    aliases = CommuneAlias.objects.filter(code=code).select_related(
        *(f"commune__{name}" for name in ("departement", "region", "epci", "ept", "parent"))
    )
    # In the search's order: the larger population first.
    ordered = aliases.order_by(F("commune__population").desc(nulls_last=True), "commune__nom")
    communes = {a.commune_id: a.commune for a in ordered}
    return _decide(_prefer([(c, True) for c in communes.values()]))


def resolve(text: str) -> Resolution:
    """The commune meant by `text` (a name, postal code, INSEE code or "Nom (code)")."""
    value = (text or "").strip()
    labelled = CODE_IN_LABEL.search(value)
    if labelled:
        code = labelled.group(1).upper()
        return replace(resolve_code(code), code=code)
    code = re.sub(r"\s+", "", value).upper()
    if INSEE_CODE.match(code):  # the cache or one indexed query, not a postal-code scan
        found = Commune.objects.by_codes([code]).get(code)
        if found is not None:
            return Resolution(Outcome.FOUND, found)
    matches = search_communes(value, limit=SEARCH_LIMIT)
    exact = [(m.commune, m.alias is not None) for m in matches if m.rank == EXACT]
    if exact:
        return _decide(_prefer(exact))
    if matches:
        return Resolution(Outcome.APPROXIMATE, candidates=[m.commune for m in matches])
    return UNKNOWN
