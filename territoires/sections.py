"""Sections other apps add to the commune and département pages (aids, zonings, structures).

territoires never imports those apps: each registers its section from its AppConfig.ready():

    from territoires.sections import register
    register("commune", "aides", "aides/partials/commune_section.html", aides_for_commune, order=20)

`context(request, obj)` returns the partial's context (it is available there as `section`),
or None to leave the section out. Sections render in `order`, then registration order.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAGES = ("commune", "departement")


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


_registry: dict[str, dict[str, Section]] = {page: {} for page in PAGES}


def register(page: str, key: str, template: str, context, order: int = 100) -> None:
    """Add (or replace, by `key`) a section of `page` ("commune" or "departement")."""
    if page not in _registry:
        raise ValueError(f"Page inconnue : {page} (attendu : {', '.join(PAGES)}).")
    _registry[page][key] = Section(key, template, context, order)


def unregister(page: str, key: str) -> None:
    _registry[page].pop(key, None)


def sections_for(page: str, request, obj) -> list[dict]:
    """[{"key", "template", "context"}] for the page, in display order."""
    rendered = []
    for section in sorted(_registry[page].values(), key=lambda s: s.order):
        context = section.context(request, obj)
        if context is not None:
            rendered.append({"key": section.key, "template": section.template, "context": context})
    return rendered
