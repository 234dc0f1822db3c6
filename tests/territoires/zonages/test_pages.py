"""Public /zonages/ page: map, legend, table, summary, "À cette adresse", French errors."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from territoires import maps as territoires_maps
from territoires.zonages import maps as zonages_maps
from tests.factories import ActeFactory

from .conftest import needs_contours

pytestmark = pytest.mark.django_db
URL = reverse("zonages:index")


@pytest.fixture
def doctors_93():
    return ActeFactory(
        zones={"zip": ["93066", "93008"], "zac": ["93029"], "hors-zonage": ["93005"]},
        titre="Arrêté ARS n° 2022-01",
    )


def test_without_a_choice_the_page_invites_to_choose(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Zonages</h1>" in html
    assert 'name="profession"' in html and 'name="departement"' in html
    assert "À cette adresse" in html
    assert "folium-map" not in html


@needs_contours
def test_map_legend_table_and_summary_of_a_departement(client, doctors_93):
    response = client.get(URL, {"profession": "medecin-generaliste", "departement": "93"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Médecin généraliste — Seine-Saint-Denis" in html
    assert "/static/vendor/leaflet/leaflet.js" in html and 'class="folium-map"' in html
    assert f'nonce="{response.wsgi_request.csp_nonce}"' in html
    assert 'href="#tableau-zones"' in html  # the map links to its text alternative
    table = html[html.index('id="tableau-zones"') : html.index("</table>")]
    assert '<a href="/territoires/communes/93066/">Saint-Denis</a> (93066)' in table
    assert "<td>ZIP</td>" in table and "<td>ZAC</td>" in table
    assert table.count("<tr>") == 1 + 4  # header + the 4 classified communes (of 39)
    assert "ZIP — 2 territoires" in html  # legend with counts
    assert "Seine-Saint-Denis : 39 commune(s) ou arrondissement(s), 1\u202f" in html
    assert "Arrêté ARS n° 2022-01" in html
    assert "Données de démonstration" not in html


@needs_contours
def test_demo_notice_when_a_displayed_zoning_is_demonstration(client):
    ActeFactory(
        zones={"zip": ["93066"]}, demonstration=True, titre="Zonage de démonstration — test"
    )
    html = client.get(URL, {"profession": "medecin-generaliste", "departement": "93"}).content
    assert "Données de démonstration" in html.decode()


@needs_contours
def test_paris_is_shown_by_arrondissement_with_partial_zones(client):
    ActeFactory(zones={"zac": ["75118"], "zip": [("75116", "751166199")]})
    response = client.get(URL, {"profession": "medecin-generaliste", "departement": "75"})
    html = unescape(response.content.decode())
    table = html[html.index('id="tableau-zones"') : html.index("</table>")]
    assert "Paris 18e Arrondissement</a> (75118)" in table
    assert "<td>ZIP (une partie)</td>" in table
    assert "n'ont qu'une partie (quartier, IRIS) classée" in html


@needs_contours
def test_query_count_of_the_map_page_is_constant(
    client, views_run, doctors_93, django_assert_num_queries
):
    params = {"profession": "medecin-generaliste", "departement": "77"}
    territoires_maps.clear_outlines_cache()
    client.get(URL, params)  # outlines of the département simplified and kept
    # département list, communes, 3 for the zones, session-less page: nothing else.
    with django_assert_num_queries(5):
        response = client.get(URL, params)
    assert response.status_code == 200


@needs_contours
def test_map_payload_of_a_departement_stays_small(doctors_93):
    from territoires.models import Departement

    carte = zonages_maps.build(Departement.objects.get(code="77"), "medecin-generaliste")
    assert len(carte.features) == 507
    assert carte.payload_bytes() < 250_000  # raw outlines: ≈ 540 kB


def test_past_date_shows_the_act_then_in_force(client):
    ActeFactory(zones={"zip": ["93066"]}, date_acte=dt.date(2018, 7, 2), titre="Arrêté 2018")
    ActeFactory(zones={"zac": ["93066"]}, titre="Arrêté 2022")
    params = {"profession": "medecin-generaliste", "departement": "93"}
    assert "Arrêté 2022" in client.get(URL, params).content.decode()
    html = client.get(URL, {**params, "date": "2019-01-01"}).content.decode()
    assert "Arrêté 2018" in html and "Arrêté 2022" not in html


def test_no_zoning_recorded_is_said_plainly(client):
    response = client.get(URL, {"profession": "orthophoniste", "departement": "52"})
    html = unescape(response.content.decode())
    assert "Aucun zonage « Orthophoniste » en vigueur n'est enregistré pour Haute-Marne" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"profession": "plombier", "departement": "93"}, "Profession ou zonage inconnu"),
        ({"profession": "infirmier", "departement": "13"}, "Département inconnu"),
        ({"profession": "infirmier"}, "Choisissez un département."),
        ({"profession": "infirmier", "departement": "93", "date": "hier"}, "Date invalide"),
        ({"lieu": "Atlantide"}, "Aucune commune d'Île-de-France ou du Grand Est"),
    ],
)
def test_bad_values_get_a_french_400(client, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())


def test_a_place_by_postal_code_or_name_lists_its_zones_per_profession(client, doctors_93):
    ActeFactory(zones={"tres-sous-dotee": ["93066"]}, profession="infirmier")
    html = client.get(URL, {"lieu": "93200"}).content.decode()
    box = html[html.index('id="zones-au-point"') :]
    assert "Zones en vigueur à Saint-Denis (93066)" in box
    assert "<dt>Médecin généraliste</dt>" in box and "<strong>ZIP</strong>" in box
    assert "<dt>Infirmier ou infirmière</dt>" in box
    assert "<dt>Sage-femme</dt>" in box and "Aucune zone enregistrée" in box
    assert "Arrêté ARS n° 2022-01" in box
    assert client.get(URL, {"lieu": "Saint-Denis (93066)"}).status_code == 200


def test_an_ambiguous_name_offers_a_choice_that_keeps_the_map_choice(client):
    params = {"lieu": "Saint-Germain", "profession": "infirmier", "departement": "93"}
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Plusieurs communes correspondent" in html
    assert "profession=infirmier&amp;departement=93&amp;lieu=10340#a-cette-adresse" in html


def test_commune_page_lists_its_zones_per_profession_with_sources(client):
    ActeFactory(zones={"zac": ["75056"], "zip": [("75116", "751166199")]}, titre="Arrêté ARS 2022")
    html = unescape(client.get(reverse("territoires:commune", args=["75116"])).content.decode())
    section = html[html.index('id="titre-zonages-commune"') :]
    assert "Zones en vigueur à Paris 16e Arrondissement (75116)" in section
    assert "<strong>ZAC</strong>" in section and "<strong>ZIP</strong>" in section
    assert "une partie de la commune" in section
    assert 'Source : <a href="https://example.test/acte"' in section
    assert "<dt>Orthophoniste</dt>" in section
    assert "/zonages/?profession=medecin-generaliste&departement=75#resultat" in section
    assert "Données de démonstration" not in html


def test_commune_section_costs_three_queries(rf, django_assert_num_queries):
    from territoires.models import Commune
    from territoires.zonages.sections import commune_section

    commune = Commune.objects.with_refs().get(code="93066")
    ActeFactory(zones={"zip": ["93066"]}, demonstration=True)
    with django_assert_num_queries(3):
        context = commune_section(rf.get("/"), commune)
    assert context["zones_demonstration"] is True


def test_departement_page_links_to_each_zoning_map(client):
    html = client.get(reverse("territoires:departement", args=["93"])).content.decode()
    section = html[html.index('id="titre-zonages-departement"') :]
    assert '/zonages/?profession=infirmier&amp;departement=93#resultat">Infirmier' in section
    assert "profession=qpv&amp;departement=93" in section


def test_landing_lists_the_acts_in_force_in_a_constant_number_of_queries(
    client, django_assert_num_queries
):
    ActeFactory(zones={"zip": ["93066"]}, date_acte=dt.date(2018, 7, 2), titre="Arrêté 2018")
    ActeFactory(zones={"zac": ["93066"]}, titre="Arrêté 2022", demonstration=True)
    ActeFactory(zones={"sous-dotee": ["93066"]}, profession="infirmier", titre="Arrêté infirmiers")
    # Data version (the acts above moved it), départements of the form, acts, replaced rural acts.
    with django_assert_num_queries(4):
        response = client.get(URL)
    html = response.content.decode()
    table = html[html.index('id="actes-en-vigueur"') : html.index("</table>")]
    assert "Arrêté 2022" in table and "Arrêté infirmiers" in table
    assert "Arrêté 2018" not in table  # superseded
    assert table.index("Arrêté 2022") < table.index("Arrêté infirmiers")
    assert "Données de démonstration" in html
