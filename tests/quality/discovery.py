"""Find every public GET page and API endpoint from the URL resolver, with real path arguments.

A pattern with parameters (`territoires/communes/<str:code>/`) is instantiated with values
taken from the database and a few well-known real codes, trying them until the page answers
200. New pages are covered as soon as they are routed: nothing to register here.
"""

import itertools
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

# Not public pages: the agents' back-office (own tests), framework internals.
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_PREFIXES = ("admin/", "static/", "media/", "__debug__/")

# Real codes of the reference data loaded for every test (COG régions 11 and 44).
KNOWN_VALUES = {
    "commune": ["93066", "77379", "75056", "75101", "67482", "54332"],
    "departement": ["93", "77", "75", "67", "54"],
    "region": ["11", "44"],
}
MAX_TRIES_PER_PATTERN = 400
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass
class PublicPage:
    route: str  # e.g. "territoires/communes/<str:code>/"
    name: str  # "territoires:commune", or the route when unnamed
    params: list[str]
    url: str | None = None  # instantiated path answering 200, if one was found
    tried: list[str] = field(default_factory=list)

    @property
    def fuzz_url(self) -> str:
        """The path to fuzz: the one answering 200, else the first one tried."""
        return self.url or self.tried[0]


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            if ns in EXCLUDED_NAMESPACES:
                continue
            full_ns = ":".join(filter(None, [namespace, ns])) or None
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith(EXCLUDED_PREFIXES) or route.startswith("^"):
                continue
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield route, name or route


def _values_from_db() -> dict[str, list[str]]:
    """Up to a few values of every slug/code field in the project's own apps."""
    values: dict[str, list[str]] = {}
    for model in apps.get_models():
        if model._meta.app_label not in {"portal", "territoires", "aides", "structures"}:
            continue
        if not model._meta.model_name.startswith("historical"):
            pks = model._default_manager.order_by("pk").values_list("pk", flat=True)[:20]
            values[f"{model._meta.model_name}.pk"] = [str(pk) for pk in pks]
        for f in model._meta.get_fields():
            if not isinstance(f, models.CharField | models.SlugField):
                continue
            if not (isinstance(f, models.SlugField) or f.name in {"code", "slug"}):
                continue
            manager = model._default_manager
            found = list(manager.exclude(**{f.name: ""}).values_list(f.name, flat=True)[:4])
            key = f"{model._meta.model_name}.{f.name}"
            values[key] = [str(v) for v in found]
    values["alerte.signed"] = _alert_links()
    return values


def _alert_links() -> list[str]:
    """The signed values of the alert links (confirm, unsubscribe, delete), of an alert made
    for the discovery (in the rolled-back transaction of the demo data)."""
    from aides.alertes import liens
    from aides.alertes.models import Alerte

    alerte, _ = Alerte.objects.get_or_create(
        email="decouverte@example.test", recherche="commune=93066",
        defaults={"libelle": "Toutes professions à Saint-Denis (93066)"},
    )  # fmt: skip
    purposes = (liens.CONFIRMER, liens.DESABONNER, liens.SUPPRIMER)
    return [liens.url(alerte, purpose).rstrip("/").rsplit("/", 1)[1] for purpose in purposes]


def _choice_values() -> list[str]:
    from territoires.models import Profession

    return [value for value, _ in Profession.choices]


def _candidates(param: str, context: str, db_values: dict[str, list[str]]) -> list[str]:
    """Candidate values for one path parameter, the likeliest first: those whose kind is named
    by the parameter, then by the route and view name (`territoires:commune` → communes)."""
    text = f"{param} {context}".lower()
    ordered: list[str] = []
    for hint, values in KNOWN_VALUES.items():
        if hint[:3] in text:
            ordered += values
    for key, values in db_values.items():
        if key.split(".")[0][:4] in text:
            ordered += values
    for key, values in db_values.items():
        if key.split(".")[1] == param.lower():
            ordered += values
    if "profession" in param.lower():
        ordered += _choice_values()
    ordered += [v for vs in KNOWN_VALUES.values() for v in vs]
    ordered += _choice_values()
    ordered += [v for vs in db_values.values() for v in vs]
    return list(dict.fromkeys(ordered))


def _fill(route: str, values: dict[str, str]) -> str:
    return "/" + _PARAM.sub(lambda m: values[m.group("name")], route)


def public_routes() -> list[tuple[str, str]]:
    """(route, name) of every public URL pattern; needs no database (usable at collection)."""
    return list(dict(_walk(get_resolver().url_patterns)).items())


def instantiate(route: str, name: str, client: Client, db_values=None) -> PublicPage:
    """The route with real values for its parameters, the first combination answering 200."""
    db_values = _values_from_db() if db_values is None else db_values
    params = [m.group("name") for m in _PARAM.finditer(route)]
    page = PublicPage(route=route, name=name, params=params)
    context = f"{name} {_PARAM.sub('', route)}"
    pools = [_candidates(p, context, db_values) for p in params]
    urls = (
        _fill(route, dict(zip(params, combo, strict=True)))
        for combo in itertools.islice(itertools.product(*pools), MAX_TRIES_PER_PATTERN)
    )
    for url in itertools.chain(urls, _linked_urls(route, client) if params else ()):
        page.tried.append(url)
        if client.get(url).status_code == 200:
            page.url = url
            break
    return page


_HREF = re.compile(r'href="(/[^"?#]*)')


def _linked_urls(route: str, client: Client):
    """Links to `route` found on the pages without parameters (values only known to code,
    such as the slugs of the statistics tables)."""
    for other, _ in public_routes():
        if _PARAM.search(other):
            continue
        response = client.get("/" + other)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in _HREF.findall(response.content.decode(errors="replace")):
            try:
                match = resolve(href)
            except Resolver404:
                continue
            if match.route == route:
                yield href


def public_pages(client: Client | None = None) -> list[PublicPage]:
    """Every public route, each with a path that answers 200 when one can be found."""
    client = client or Client()
    db_values = _values_from_db()
    return [instantiate(route, name, client, db_values) for route, name in public_routes()]
