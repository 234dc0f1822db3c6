"""Statistical secret: the one rule for every public aggregate of supported professionals.

Professionals are personal data. A published cell (a count and its amount) computed from
1 to `threshold() - 1` professionals (settings.PORTAL_SECRET_THRESHOLD, 3) is hidden:
*secret primaire*, the frequency rule of INSEE's guide to statistical confidentiality.
A hidden cell must not come back by difference: in every line whose total is published
(a table's total row, the total of a région, of a département, of a profession…), the
hidden cells are at least 2 and cover at least `threshold()` professionals; otherwise the
smallest visible non-zero cells of the line are hidden too (*secret secondaire*, the usual
"smallest complementary cell" heuristic, applied until every linked line is stable). A
cell with no professional (0) reveals nobody and stays visible. A total made of hidden
cells only is itself below the threshold, so it is hidden by the primary rule.

A figure adding structures and professionals (a département's total, "en QPV", the total
amount) is hidden with its professionals' part: structures are published one by one, so
the sum would give the professionals' part back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping

from django.conf import settings

SECRET_LABEL = "secret statistique"


def threshold() -> int:
    return getattr(settings, "PORTAL_SECRET_THRESHOLD", 3)


def is_secret(count: int | None) -> bool:
    return count is not None and 0 < count < threshold()


def rule_text() -> str:
    """The rule as the public pages and the API description say it."""
    return (
        f"Secret statistique : un nombre ou un montant portant sur moins de {threshold()} "
        "professionnels n'est pas publié (« secret statistique » ; null dans l'API). Pour "
        "qu'un total ne permette pas de le retrouver par différence, d'autres cases de la "
        "même ligne, les plus petites, sont masquées aussi (secret secondaire)."
    )


def protect_lines(
    counts: Mapping[Hashable, int],
    lines: Iterable[Callable[[Hashable], Hashable]] = (lambda key: None,),
    forced: Iterable[tuple[int, Hashable]] = (),
) -> set:
    """The keys of `counts` to hide: primary secret, then secondary secret in every line.

    `lines`: functions giving the line of a cell (one per published total the cell belongs
    to). `forced`: (line index, line) pairs whose total is hidden elsewhere: at least one of
    their cells is hidden, or the cells would add up to that hidden total.
    """
    limit = threshold()
    lines = list(lines)
    hidden = {key for key, count in counts.items() if is_secret(count)}
    groups = []
    for index, line in enumerate(lines):
        members = defaultdict(list)
        for key in counts:
            members[line(key)].append(key)
        groups.append((index, members))
    forced = set(forced)
    changed = True
    while changed:
        changed = False
        for index, members in groups:
            for name, keys in members.items():
                inside = [key for key in keys if key in hidden]
                must = (index, name) in forced
                while (must and not inside) or (
                    inside and (len(inside) < 2 or sum(counts[k] for k in inside) < limit)
                ):
                    candidates = [k for k in keys if k not in hidden and counts[k] > 0]
                    if not candidates:
                        break
                    pick = min(candidates, key=lambda k: (counts[k], str(k)))
                    hidden.add(pick)
                    inside.append(pick)
                    changed = True
    return hidden


def protect(counts: Mapping[Hashable, int]) -> set:
    """Keys to hide in one line whose total is published."""
    return protect_lines(counts)
