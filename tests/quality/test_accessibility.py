"""axe-core in Chromium: no "serious" or "critical" violation on the portal's main pages.

A page is listed here by its URL name; path parameters get real values from the database
(tests/quality/discovery.py). Only pages that are routed are collected: a page still to be
built is not in the list, it is not skipped.
"""

import pytest
from django.urls import NoReverseMatch, reverse

from tests.quality import stats
from tests.quality.conftest import blocking, describe, run_axe
from tests.quality.discovery import public_routes

pytestmark = pytest.mark.django_db

# (label, URL name, query string)
PAGES = [
    ("accueil", "portal:home", ""),
    ("recherche d'aides", "aides:finder", ""),
    ("résultats d'aides", "aides:finder", "?commune=93066&profession=medecin-generaliste"),
    ("fiche d'une aide", "aides:detail", ""),
    ("carte régionale", "structures:carte", ""),
    ("carte d'un département", "structures:carte_departement", ""),
    ("bilan (statistiques)", "structures:bilan", ""),
    ("page d'un département", "territoires:departement", ""),
    ("page d'une commune", "territoires:commune", ""),
    ("zonages", "zonages:index", "?profession=medecin-generaliste&departement=93"),
    ("données ouvertes", "portal:donnees", ""),
    ("où m'installer", "aides:ou_minstaller", "?profession=masseur-kinesitherapeute&region=44"),
    ("documentation de l'API", "portal:donnees_api", ""),
    ("intégrer la recherche", "aides:integrer", "?departement=93"),
    (
        "recherche intégrée",
        "aides:integrer_recherche",
        "?commune=93066&profession=medecin-generaliste",
    ),
    ("liste par courriel", "aides:resultats_courriel", "?commune=93066"),
    ("me prévenir (alerte)", "alertes:creer", "?commune=93066&profession=medecin-generaliste"),
    ("confirmer une alerte", "alertes:confirmer", ""),
    ("se désabonner d'une alerte", "alertes:desabonner", ""),
    ("supprimer mes alertes", "alertes:suppression", ""),
]
ROUTES = {name: route for route, name in public_routes()}


def routed(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return url_name in ROUTES  # routed, with parameters
    return True


@pytest.mark.parametrize(
    ("label", "url_name", "query"),
    [page for page in PAGES if routed(page[1])],
    ids=[page[0] for page in PAGES if routed(page[1])],
)
def test_no_serious_accessibility_violation(label, url_name, query, visit, pages):
    page = pages[url_name]
    assert page.url, f"aucune adresse de {url_name} ne répond 200 ({page.tried[:5]})"
    response = visit.goto(page.url + query)
    assert response.status == 200
    visit.step(label)
    violations = run_axe(visit.page)
    serious = blocking(violations)
    stats.axe_results[label] = (
        f"{page.url + query} — {len(serious)} grave(s)/critique(s), "
        f"{len(violations) - len(serious)} mineure(s)/modérée(s)"
        + (f" [{', '.join(sorted({v['id'] for v in violations}))}]" if violations else "")
    )
    assert serious == [], f"{label} ({page.url + query}) :\n{describe(serious)}"


def test_the_issue_pages_are_all_routed():
    """Home, finder, aid, map, statistics and département pages (issue 7) all exist."""
    missing = [label for label, url_name, _ in PAGES if not routed(url_name)]
    assert missing == []
