"""The finder page: search by place and profession, reasons, messages, query count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aides.models import Aide, ConditionZonage, Financeur
from portal.lib.dataversion import bump
from territoires.models import Departement
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db
URL = reverse("aides:finder")


def test_search_by_commune_lists_matching_aids_with_their_reasons(client, aides):
    response = client.get(
        URL, {"commune": "Saint-Denis (93066)", "profession": "medecin-generaliste"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 aides" in html and "à Saint-Denis" in html
    assert "Aide aux médecins en ZIP" in html
    assert "ZIP — arrêté ARS Île-de-France du 31 mars 2022" in html
    assert "toute la région Île-de-France" in html
    assert "Aide en préparation" not in html  # draft
    assert "Contrat fermé" not in html  # closed today


def test_postal_code_and_name_find_the_same_commune(client, aides):
    by_postal = client.get(URL, {"commune": "93200"}).content.decode()
    by_name = client.get(URL, {"commune": "saint denis"}).content.decode()
    assert "à Saint-Denis" in by_postal and "à Saint-Denis" in by_name


def test_commune_outside_the_zone_does_not_get_the_zoned_aid(client, aides):
    html = client.get(
        URL, {"commune": "77379", "profession": "medecin-generaliste"}
    ).content.decode()
    listed, not_here = html.split('class="fr-accordion', 1)
    assert "Aide aux médecins en ZIP" not in listed
    assert "Aide de la région" in listed
    assert "Aide aux médecins en ZIP" in not_here  # with why not, in the collapsed list


def test_closed_aids_are_shown_on_request(client, aides):
    html = client.get(URL, {"commune": "93066", "fermees": "on"}).content.decode()
    assert "Contrat fermé" in html and "Fermée depuis le 31 décembre 2025" in html


def test_a_date_in_the_past_shows_what_was_open_then(client, aides):
    html = client.get(URL, {"commune": "93066", "date": "2025-06-01"}).content.decode()
    assert "Contrat fermé" in html
    assert "Aides ouvertes le 1 juin 2025" in html


def test_without_a_place_conditions_are_listed_as_things_to_check(client, aides):
    html = client.get(URL).content.decode()
    assert "Conditions de lieu à vérifier" in html
    assert "sous condition de zonage : ZIP (médecin généraliste)" in html


def test_unknown_and_malformed_parameters_are_ignored_with_a_french_message(client, aides):
    response = client.get(
        URL,
        {"commune": "Zzzville", "profession": "plombier", "lat": "abc", "page": "x", "foo": "1",
         "date": "31/02/2026", "financeur": "inconnu", "tri": "hasard"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le paramètre « foo » est inconnu : il a été ignoré." in html
    assert (
        "Aucune commune d&#x27;Île-de-France ou du Grand Est ne correspond à « Zzzville »" in html
    )
    assert "Profession : Sélectionnez un choix valide." in html
    assert "Latitude : Saisissez un nombre." in html
    assert "Aide de la région" in html  # the rest of the search still runs


def test_ambiguous_postal_code_lists_the_candidates(client, aides):
    html = client.get(URL, {"commune": "77160"}).content.decode()
    assert "Plusieurs communes correspondent à « 77160 »" in html
    assert "Provins (77379)" in html


def test_half_a_point_is_refused(client, aides):
    html = client.get(URL, {"lat": "48.93"}).content.decode()
    assert "Indiquez la latitude et la longitude du point, ou aucune des deux." in html


def test_empty_state_suggests_what_to_relax(client, aides):
    html = client.get(
        URL, {"commune": "77379", "profession": "sage-femme", "forme": "bourse"}
    ).content.decode()
    assert "Aucune aide ne correspond à tous ces critères" in html
    assert "Retirer la profession" in html and "Retirer la forme de l&#x27;aide" in html
    assert "Afficher aussi les aides fermées" in html


def test_sort_by_amount_puts_the_largest_first(client, aides):
    html = client.get(URL, {"commune": "93066", "tri": "montant"}).content.decode()
    assert html.index("Aide aux médecins en ZIP") < html.index("Aide de la région")
    html = client.get(URL, {"commune": "93066", "tri": "cloture", "fermees": "on"}).content.decode()
    assert html.index("Contrat fermé") < html.index("Aide aux médecins en ZIP")


def test_financer_filter(client, aides):
    html = client.get(URL, {"financeur": "assurance-maladie"}).content.decode()
    assert "Aide aux médecins en ZIP" in html and "Aide de la région" not in html


def test_pagination_keeps_the_search_in_the_links(client, db):
    for i in range(25):
        AideFactory(slug=f"aide-{i:02d}", nom=f"Aide numéro {i:02d}")
    page1 = client.get(URL, {"profession": "infirmier"}).content.decode()
    assert "25 aides" in page1
    assert "profession=infirmier&amp;page=2" in page1 or "page=2&amp;profession=infirmier" in page1
    page2 = client.get(URL, {"profession": "infirmier", "page": "2"}).content.decode()
    assert page2.count('class="fr-card fr-mb-3w aides-carte"') == 5


def test_the_page_works_without_javascript(client, aides):
    html = client.get(URL).content.decode()
    assert '<form method="get" action="/aides/"' in html
    assert 'name="commune"' in html and 'name="lat"' in html and 'name="lon"' in html
    assert "<details" in html  # the map block opens without script


def test_query_count_does_not_grow_with_the_number_of_aids(client, zip_saint_denis, commit,
                                                           django_assert_num_queries):  # fmt: skip
    params = {"commune": "93066", "profession": "medecin-generaliste"}
    again = {**params, "page": "1"}  # another address (not a page cache hit), the same search
    client.get(URL, params)  # warm the zone index and the locator
    commit()
    _bulk_aides(10)
    commit()
    cold = count_queries(client, URL, params)  # a new data version: the verdicts are computed
    warm = count_queries(client, URL, again)  # the same signature: read back by id
    assert cold <= 12, "version (1), place (2), aids and their relations (6), financers (1)"
    assert warm < cold
    _bulk_aides(500, start=10)
    commit()
    assert Aide.objects.published().count() == 510
    with django_assert_num_queries(cold):
        response = client.get(URL, params)
    assert "510 aides" in response.content.decode()
    with django_assert_num_queries(warm):
        response = client.get(URL, again)
    assert "510 aides" in response.content.decode()


def count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _bulk_aides(n, start=0):
    aides = Aide.objects.bulk_create(
        [
            Aide(
                slug=f"aide-masse-{i}", nom=f"Aide en masse {i}", resume="R", forme="subvention",
                nature_montant="forfait", montant_max=i, statut="publiee",
                professions=["medecin-generaliste"], publics=["professionnel"],
                etapes=["installation"],
            )
            for i in range(start, start + n)
        ]
    )  # fmt: skip
    seine_saint_denis = Departement.objects.get(code="93")
    ConditionZonage.objects.bulk_create(
        [ConditionZonage(aide=a, profession="medecin-generaliste", categories="zip") for a in aides]
        + [ConditionZonage(aide=a, departement=seine_saint_denis) for a in aides[::2]]
    )
    bump()  # bulk writes send no signal


def test_a_result_page_is_the_same_for_every_visitor_and_kept_by_the_page_cache(
    client, aides, django_assert_num_queries
):
    url = "/aides/?commune=93066&profession=medecin-generaliste"
    first = client.get(url)
    assert first.status_code == 200 and not first.cookies
    assert "Cookie" not in first.get("Vary", "")
    with django_assert_num_queries(0):
        assert client.get(url).content.count(b"fr-card") == first.content.count(b"fr-card")


def test_the_map_rendered_once_carries_each_page_own_nonce(client, aides):
    """The point picker is rendered once per process: each page still gets its own nonce
    on every inline script, the one its CSP header allows."""
    seen = set()
    for commune in ("93066", "77379"):
        response = client.get(URL, {"commune": commune})
        allowed = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        html = response.content.decode()
        scripts = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
        assert scripts and all(f'nonce="{allowed}"' in tag for tag in scripts), scripts
        assert "id_lat" in html  # the click-to-pick script of the map
        seen.add(allowed)
    assert len(seen) == 2


def test_the_form_shows_each_search_its_own_values_and_errors(client, aides):
    """The form's fields are drawn once per value (portal.lib.fieldcache): each page still
    shows what was asked, its errors, and a financer added since."""
    selected = '<option value="{}" selected>'
    first = client.get(URL, {"commune": "93066", "profession": "infirmier"}).content.decode()
    assert selected.format("infirmier") in first
    second = client.get(URL, {"commune": "77379", "profession": "medecin-generaliste"})
    html = second.content.decode()
    assert selected.format("medecin-generaliste") in html
    assert selected.format("infirmier") not in html
    assert 'value="77379"' in html and 'value="93066"' not in html
    wrong = client.get(URL, {"commune": "93066", "date": "2026-02-31"}).content.decode()
    assert "Saisissez une date réelle" in wrong
    right = client.get(URL, {"commune": "93066", "date": "2026-02-28"}).content.decode()
    assert "Saisissez une date réelle" not in right and 'value="2026-02-28"' in right
    Financeur.objects.create(slug="ville-test", nom="Ville de Test", type="commune")
    html = client.get(URL, {"commune": "93066", "profession": "infirmier"}).content.decode()
    assert '<option value="ville-test">Ville de Test</option>' in html
