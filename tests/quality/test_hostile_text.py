"""Hostile text in every free-text field, read back through every page, map, export and API.

An agent (admin forms, imports) or an official file (COG, contours, zonings) sets these
texts; every renderer they reach must show them as text: no template evaluation (Jinja2 in
folium/branca, Django templates), no raw HTML, no spreadsheet formula, and never a 500.
Each payload is written into every field at once, then every public route (found by
`discovery`, plus the query strings that make pages show data) and every admin list is read.
"""

import csv
import io
import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.cache import caches
from django.db import models

from tests.quality import stats

# (payload, what would show if a template engine evaluated it, what raw HTML would show)
PAYLOADS = [
    ("{{7*7}}", ["⟦49⟧"], []),
    ("{{ 'zq' ~ 'jx' }}", ["zqjx"], []),
    ('{{ "zq"|add:"jx" }}', ["zqjx"], []),
    ("{% if %}", [], []),
    ("{#", [], []),
    ("{{ santé", [], []),
    ("{% endif %}{{", [], []),
    ("{{lipsum.__globals__.os.environ}}", ["environ({"], []),
    ("{% load static %}{% static 'x' %}", ["/static/x⟧"], []),
    ("<script>alert('x')</script>", [], ["<script>alert("]),
    ('"><img src=x onerror=alert(1)>', [], ["<img src=x"]),
    ("</script><b>gras</b>", [], ["<b>gras</b>"]),
    ('=HYPERLINK("http://x")', [], []),
    ("+1-1", [], []),
    ("@SUM(A1)", [], []),
    ("\u202eesrever\u200b\u2066", [], []),  # bidi override, zero width, isolate
    ("Ｓａｉｎｔ-Ｄｅｎｉｓ ѕаnté", [], []),  # fullwidth and Cyrillic look-alikes
    ("`${alert(1)}`\\", [], []),  # template literal, trailing backslash
]
# Written together (a page and its exports read ~40 times per round): a spreadsheet formula
# first in its text, since only a cell's start can make it a formula.
ROUNDS = [
    ("=HYPERLINK", "{{7*7}}", "<script>", "\u202e"),
    ("+1-1", "{{ 'zq'", '"><img', "Ｓａｉｎｔ"),
    ("@SUM", '{{ "zq"', "</script>", "`${"),
    ("{% if %}",),
    ("{#",),
    ("{{ santé", "{% endif %}{{"),
    ("{{lipsum", "{% load static"),
]
MARK = "⟦{}⟧"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Fields holding codes, slugs, lists of choices or derived search keys: not free text.
NOT_FREE_TEXT = {
    "code",
    "nom_normalise",
    "codes_postaux",
    "empreinte",
    "code_iris",
    "qpv_code",
    "publics",
    "professions",
    "types_structure",
    "etapes",
    "categories",
}
PROJECT_APPS = {"territoires", "aides", "structures"}

# Query strings that make pages show data (the bare routes are found by discovery).
EXTRA_URLS = [
    "/aides/?commune=93066",
    "/aides/?commune=93066&profession=medecin-generaliste",
    "/aides/?lat=48.936&lon=2.357",
    "/api/v1/aides?commune=93066",
    "/api/v1/lieu?commune=93066",
    "/api/v1/lieu?lat=48.936&lon=2.357",
    "/api/v1/structures?commune=93066",
    "/api/v1/statistiques?region=44",
    "/territoires/communes/recherche?q=saint",
    "/zonages/?profession=medecin-generaliste&departement=93",
    "/zonages/?profession=infirmier&departement=93&commune=93066",
    "/carte/93/",
    "/carte/?mesure=taux",
    "/territoires/departements/93/",
    "/territoires/communes/93066/",
    "/bilan/?region=44",
]


def free_text_fields():
    """(model, field) for every free-text column of the project's models."""
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in PROJECT_APPS or meta.model_name.startswith("historical"):
            continue
        for field in meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            if isinstance(field, models.URLField | models.EmailField | models.SlugField):
                continue
            if field.choices or field.name in NOT_FREE_TEXT or not field.editable:
                continue
            yield model, field


def _unique(model, field) -> bool:
    """Whether the field is unique alone or within a constraint (then each row differs)."""
    if field.unique:
        return True
    together = list(model._meta.unique_together)
    together += [
        c.fields for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)
    ]
    return any(field.name in fields for fields in together)


def write_everywhere(text: str) -> int:
    """Set `text` (cut to each field's length) in every free-text field of every row."""
    written = 0
    for model, field in free_text_fields():
        manager = model._base_manager
        limit = field.max_length or 10_000
        if _unique(model, field):
            for pk in manager.values_list("pk", flat=True):
                suffix = f" {pk}"
                manager.filter(pk=pk).update(**{field.name: text[: limit - len(suffix)] + suffix})
                written += 1
        else:
            written += manager.update(**{field.name: text[:limit]})
    for cache in caches.all():
        cache.clear()
    return written


def public_urls(pages) -> list[str]:
    found = [page.url for page in pages.values() if page.url]
    return list(dict.fromkeys(found + EXTRA_URLS))


def admin_urls() -> list[str]:
    urls = []
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in PROJECT_APPS:
            continue
        urls.append(f"/admin/{meta.app_label}/{meta.model_name}/")
        first = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            urls.append(f"/admin/{meta.app_label}/{meta.model_name}/{first}/change/")
            urls.append(f"/admin/{meta.app_label}/{meta.model_name}/{first}/history/")
    return urls


def problems_in(url: str, response, evaluated: list[str], raw_html: list[str]) -> list[str]:
    """What a reader of this response would see wrong with the hostile text."""
    if response.status_code >= 500:
        return [f"{url} : {response.status_code}"]
    if response.status_code != 200:
        return []
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8-sig", errors="replace")
    found = []
    for sign in evaluated:
        if sign in body:
            found.append(f"{url} : {sign!r} (texte évalué par un moteur de gabarits)")
    if "html" in content_type:
        found += [f"{url} : {sign!r} (HTML non échappé)" for sign in raw_html if sign in body]
    if "csv" in content_type:
        for row in csv.reader(io.StringIO(body)):
            for cell in row:
                if "⟦" in cell and cell.startswith(FORMULA_START):
                    found.append(f"{url} : cellule {cell[:40]!r} commence une formule")
    elif "json" in content_type:
        try:
            json.loads(body)
        except ValueError:
            found.append(f"{url} : JSON invalide")
    return found


def test_every_payload_is_tried():
    starts = [start for round_ in ROUNDS for start in round_]
    assert sorted(p for p, _, _ in PAYLOADS) == sorted(
        next(p for p, _, _ in PAYLOADS if p.startswith(start)) for start in starts
    )


@pytest.mark.parametrize("starts", ROUNDS, ids=[" ".join(r) for r in ROUNDS])
def test_hostile_text_is_shown_as_text_everywhere(db, pages, client, admin_client, starts):
    chosen = [next(p for p in PAYLOADS if p[0].startswith(start)) for start in starts]
    evaluated = [sign for _, signs, _ in chosen for sign in signs]
    raw_html = [sign for _, _, signs in chosen for sign in signs]
    # Marks around each payload: its evaluated form keeps them (⟦49⟧), page figures do not.
    assert write_everywhere(" ".join(MARK.format(p) for p, _, _ in chosen)) > 1000

    problems, shown = [], 0
    urls = public_urls(pages)
    for url in urls:
        response = client.get(url)
        problems += problems_in(url, response, evaluated, raw_html)
        shown += "⟦" in response.content.decode("utf-8-sig", errors="replace")
    back_office = admin_urls()
    for url in back_office:
        problems += problems_in(url, admin_client.get(url), evaluated, raw_html)
    stats.fuzzed["textes hostiles (pages lues)"] += len(urls) + len(back_office)

    assert not problems, "\n".join(problems)
    # Not a vacuous pass: the marked text reached most public pages (escaped, as text).
    assert shown >= len(urls) // 2, f"texte visible sur {shown} pages sur {len(urls)}"
