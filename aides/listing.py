"""The finder's list of answers, rendered once for every commune of a signature.

The cards read the answers (cached by `aides.search` under the place's signature), the page
asked for, the commune's name in the sentences and the place's query in the links to the
aid pages. They are rendered with marks for the last two (`raisons.COMMUNE`, `PLACE`) and
kept beside the answers (`SearchResult.kept`); each request puts in its own commune's name
and query, escaped. A commune of a signature already shown reads no aid and renders no card.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from aides.eligibility import Statut, revisions
from aides.montants import format_montant
from aides.raisons import COMMUNE
from aides.search import SearchResult, _anonymous
from territoires.zonages.display import zones_context

PER_PAGE = 20
PLACE = "\x00lieu\x00"  # the place's query string in the links to the aid pages
CODE = "\x00code\x00"  # the commune's INSEE code in the zones block kept for its zones


@dataclass(frozen=True)
class Listing:
    count: int
    page: int
    nb_eligibles: int
    nb_a_verifier: int
    demo_zones: bool  # some answer of the page rests on a demonstration zoning
    revisions: tuple[str, ...]
    groupes: str  # the éligibles and à vérifier cards of the page
    non_applicables: str  # the collapsed list of what does not apply here

    def at(self, nom: str, place: str) -> Listing:
        """The listing as it reads at the commune `nom`, its links carrying `place`."""

        def html(text: str) -> SafeString:
            return mark_safe(text.replace(COMMUNE, escape(nom)).replace(PLACE, escape(place)))

        return replace(
            self,
            revisions=tuple(text.replace(COMMUNE, nom) for text in self.revisions),
            groupes=html(self.groupes),
            non_applicables=html(self.non_applicables),
        )


def listing(result: SearchResult, page, place: str, *, embed: bool = False) -> Listing:
    """The page `page` (as asked: normalised like the paginator does) of the answers."""
    asked = hashlib.sha256(str(page or "").encode()).hexdigest()[:16]
    kept = result.kept(
        f"liste:{int(embed)}:{asked}", lambda found: _render(result, found, page, embed)
    )
    nom = result.lieu.commune.nom if result.lieu.commune is not None else ""
    return kept.at(nom, place)


def pages(count: int, number: int):
    """The paginator's page for the template (numbers only: the cards are rendered)."""
    page = Paginator(range(count), PER_PAGE).get_page(number)
    page.pages_list = list(page.paginator.get_elided_page_range(page.number, on_each_side=2))
    return page


def _render(result: SearchResult, found: list, page, embed: bool) -> Listing:
    results = [r for r in found if r.applicable]
    others = [r for r in found if not r.applicable]
    shown = Paginator(results, PER_PAGE).get_page(page)
    for item in shown.object_list:
        item.montant = format_montant(item.aide)
    for item in [*shown.object_list, *others]:
        item.lien = item.aide.get_absolute_url() + PLACE
    for item in shown.object_list:
        item.html = _item_html("aides/partials/carte_aide.html", item, result.version, embed)
    for item in others:
        item.html = _item_html("aides/partials/non_applicable.html", item, result.version, embed)
    context = {
        "eligibles": [r for r in shown.object_list if r.statut == Statut.ELIGIBLE],
        "a_verifier": [r for r in shown.object_list if r.statut == Statut.A_VERIFIER],
        "nb_eligibles": sum(r.statut == Statut.ELIGIBLE for r in results),
        "nb_a_verifier": sum(r.statut == Statut.A_VERIFIER for r in results),
        "non_applicables": others,
        "lieu": _anonymous(result.lieu),
        "embed": embed,
    }
    return Listing(
        count=len(results),
        page=shown.number,
        nb_eligibles=context["nb_eligibles"],
        nb_a_verifier=context["nb_a_verifier"],
        demo_zones=any(r.demonstration for r in shown.object_list),
        revisions=tuple(revisions(found)),
        groupes=render_to_string("aides/partials/groupes.html", context),
        non_applicables=render_to_string("aides/partials/non_applicables.html", context),
    )


# Cards and lines of the last signatures, by what they show but their reasons: an aid's card
# reads the same at every place but for them. Its reasons (one zone's, for hundreds of aids)
# are drawn once by what they say and put in the card's mark.
ITEMS_KEPT = 1500
RAISONS = "\x00raisons\x00"
_items: dict[tuple, str] = {}
_raisons: dict[tuple, str] = {}


def forget_items() -> None:
    """Tests: a rolled-back transaction can bring an earlier data version back."""
    _items.clear()
    _raisons.clear()


def _item_html(template: str, item, version: str, embed: bool) -> SafeString:
    """One answer's card (or line) as `template` draws it, once per process for the data
    version and what the card shows of the answer, its reasons (still marked) put in."""
    key = (
        template, version, embed, item.aide.pk, item.statut, item.ouverte,
        getattr(item, "montant", None), item.demonstration,
    )  # fmt: skip
    context = {"item": item, "embed": embed, "raisons": mark_safe(RAISONS)}
    html = _kept(_items, key, lambda: render_to_string(template, context))
    return mark_safe(html.replace(RAISONS, _raisons_html(item)))


def _raisons_html(item) -> str:
    key = (
        item.statut, item.sans_lieu, tuple(item.raisons), tuple(item.incertitudes),
        tuple(item.pourquoi_pas),
    )  # fmt: skip
    return _kept(
        _raisons, key, lambda: render_to_string("aides/partials/raisons.html", {"item": item})
    )


def _kept(memo: dict, key: tuple, render) -> str:
    html = memo.get(key)
    if html is None:
        html = render()
        if len(memo) >= ITEMS_KEPT:
            memo.clear()
        memo[key] = html
    return html


def zones_ici(result) -> SafeString | None:
    """The zones at the place, as the answers cite them: rendered once per zones, région and
    date under the data version (every commune of the same zones shows the same block), the
    commune's name and code put in, escaped."""
    commune = result.lieu.commune
    if commune is None or not result.zones:
        return None
    date = result.search.date
    raw = (result.version, date, commune.region_id, commune.parent_id, tuple(result.zones))
    key = "aides:zones-ici:" + hashlib.sha256(repr(raw).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        marked = copy.copy(commune)
        marked.nom, marked.code = COMMUNE, CODE
        context = {
            "lieu": replace(result.lieu, commune=marked),
            "date": date,
            "zones_ici": zones_context(result.zones, marked),
        }
        html = render_to_string("aides/partials/zones_ici.html", context)
        cache.set(key, html, timeout=None)  # keyed by the version: never stale
    return mark_safe(html.replace(COMMUNE, escape(commune.nom)).replace(CODE, escape(commune.code)))
