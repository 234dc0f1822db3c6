"""Figures the quality gates print at the end of the run (fuzzed inputs, axe results)."""

from collections import Counter

fuzzed: Counter = Counter()  # kind of input → number tried
axe_results: dict[str, str] = {}  # page → summary
setup_seconds: dict[str, float] = {}  # demo step → seconds


def summary_lines() -> list[str]:
    lines = []
    if setup_seconds:
        detail = ", ".join(f"{name} {sec:.1f} s" for name, sec in setup_seconds.items())
        lines.append(f"Données de démonstration (tests/quality) : {detail}")
    if fuzzed:
        total = sum(fuzzed.values())
        detail = ", ".join(f"{kind} : {count}" for kind, count in sorted(fuzzed.items()))
        lines.append(f"Entrées hostiles essayées : {total} ({detail})")
    for page, summary in sorted(axe_results.items()):
        lines.append(f"axe-core {page} : {summary}")
    return lines
