"""Map pages: offline, local assets only, table alternative and summary, filters, 400s."""

import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache

from structures.models import Structure
from territoires.models import Commune

pytestmark = pytest.mark.usefixtures("demo_db", "no_network_tiles")

ASSET = re.compile(r"<(?:script|link)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.IGNORECASE)
STATIC = Path(__file__).resolve().parents[3] / "static"
LAYERS = re.compile(r'<script\b[^>]*type="application/json"[^>]*>(.*?)</script>', re.DOTALL)


def layers(html) -> list[dict]:
    """The layers declared beside the map (the JSON that map-layers.js reads)."""
    return [json.loads(text) for text in LAYERS.findall(html)]


def fetched(client, layer) -> list[dict]:
    """The features of a layer as map-layers.js gets them: every URL fetched, in order."""
    features = []
    for url in layer["urls"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/geo+json"
        features += json.loads(response.content)["features"]
    return features


def markers(client, html) -> list[dict]:
    """Properties of the structures' markers, fetched from the marker layer's URLs."""
    layer = next((layer for layer in layers(html) if layer["type"] == "markers"), None)
    return [f["properties"] for f in fetched(client, layer)] if layer else []


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


@pytest.mark.parametrize("url", ["/carte/", "/carte/?mesure=taux", "/carte/93/", "/carte/77/"])
def test_map_pages_use_local_assets_only(client, url):
    html = html_of(client, url)
    assets = ASSET.findall(html)
    assert any("vendor/leaflet/leaflet.js" in a for a in assets)
    assert any("leaflet.markercluster" in a for a in assets)
    scripts_and_styles = [a for a in assets if a.endswith((".js", ".css"))]
    assert all(a.startswith("/static/") for a in scripts_and_styles), scripts_and_styles
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    # tiles "none": no tile server at all, the outlines and markers stand on their own.
    assert "tile.openstreetmap.org" not in html and "data.geopf.fr" not in html


def test_tile_layer_follows_the_setting(client, settings):
    settings.MAP_TILES = "ign"
    assert "GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2" in html_of(client, "/carte/")
    settings.MAP_TILES = "osm"
    assert "tile.openstreetmap.org" in html_of(client, "/carte/93/")


def test_regional_map_has_the_same_data_as_its_tables(client):
    html = html_of(client, "/carte/")
    published = Structure.objects.published().in_regions(["11"])
    located = published.with_point()
    rows = markers(client, html)
    assert len(rows) == located.count() == 279
    names = {row["nom"] for row in rows}
    assert names == set(located.values_list("nom", flat=True))
    assert "281 structures soutenues en Île-de-France, dont 279 placées sur la carte." in html
    assert "Le département qui en compte le plus : Seine-Saint-Denis (53)." in html
    assert 'id="donnees-carte"' in html and 'href="#donnees-carte"' in html
    assert '<th scope="row">Seine-Saint-Denis (93)</th><td>53</td>' in html
    assert "page 1 sur 6" in html  # 281 structures, 50 a page
    last_page = html_of(client, "/carte/?page=6")
    assert last_page.count('<th scope="row">') - 8 == 31  # the 8 départements + 31 structures


def test_choropleth_measure_is_switchable(client):
    count = html_of(client, "/carte/")
    rate = html_of(client, "/carte/?mesure=taux")
    assert "nombre de structures par département" in count
    assert "structures pour 100 000 habitants par département" in rate
    communes = Commune.objects.communes().filter(departement__code="93")
    population = sum(communes.values_list("population", flat=True))
    expected = f"{53 * 100_000 / population:.2f}".replace(".", ",")
    assert f"Seine-Saint-Denis (93) : 53 structures, {expected} pour 100 000 habitants" in rate


def test_region_selector(client):
    html = html_of(client, "/carte/?region=44")
    assert "1 structure soutenue en Grand Est" in html
    assert [row["nom"] for row in markers(client, html)] == ["Pôle multiservices de Mars-la-Tour"]


def test_filters_give_shareable_urls(client):
    html = html_of(client, "/carte/?type=msp&statut=ouvert&annee_min=2018&annee_max=2021")
    expected = Structure.objects.published().filter(
        region__code="11", type="msp", statut="ouvert",
        date_decision__year__gte=2018, date_decision__year__lte=2021,
    )  # fmt: skip
    assert f"{expected.count()} structures soutenues en Île-de-France" in html
    assert len(markers(client, html)) == expected.with_point().count()
    assert re.search(r'<input[^>]*value="msp"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="centre-sante"[^>]*checked', html)
    # The downloads carry the same filters.
    assert "/donnees/structures.csv?type=msp&amp;statut=ouvert&amp;annee_min=2018" in html


def test_departement_map_shows_communes_qpv_and_its_structures(client):
    html = html_of(client, "/carte/93/")
    rows = markers(client, html)
    assert len(rows) == Structure.objects.published().filter(departement__code="93").count() == 53
    declared = {layer["name"]: layer for layer in layers(html)}
    communes = fetched(client, declared["Communes"])
    assert len(communes) == Commune.objects.filter(departement__code="93").count()
    assert {"nom": "Saint-Denis"} in [f["properties"] for f in communes]
    assert "quartiers prioritaires de la politique de la ville dans ce département" in html
    qpv = fetched(client, declared["Quartiers prioritaires"])
    assert qpv and all(f["properties"]["nom"].startswith("QPV ") for f in qpv)  # tooltips
    assert "Saint-Denis (8)" in html  # the summary names the communes with most structures
    filtered = html_of(client, "/carte/93/?type=centre-sante")
    assert (
        len(markers(client, filtered))
        == Structure.objects.published().filter(departement__code="93", type="centre-sante").count()
    )
    # One drawn map for every filter: each page's markers still follow its own filters.
    both = html_of(client, "/carte/93/?annee_min=2020&type=centre-sante")
    expected = Structure.objects.published().filter(
        departement__code="93", type="centre-sante", date_decision__year__gte=2020
    )
    assert 0 < len(markers(client, both)) == expected.count() < len(markers(client, filtered))
    assert (
        len(markers(client, html))
        == Structure.objects.published()
        .filter(departement__code="93", latitude__isnull=False)
        .count()
    )


def test_popups_are_built_as_text_not_html(client):
    structure = Structure.objects.published().filter(departement__code="93").first()
    structure.nom = '<img src=x onerror="alert(1)">'
    structure.save()
    html = html_of(client, "/carte/93/")
    assert '<img src=x onerror="alert(1)">' not in html
    # The name travels as JSON data, drawn by the map script with text nodes.
    layer = next(layer for layer in layers(html) if layer["type"] == "markers")
    body = client.get(layer["urls"][0]).content.decode()
    assert "<img" not in body
    assert '"\\u003Cimg src=x onerror=\\"alert(1)\\"\\u003E"' in body
    assert '<img src=x onerror="alert(1)">' in {row["nom"] for row in markers(client, html)}
    assert "/static/portal/map-layers.js" in html
    assert "title.textContent = s.nom" in (STATIC / "portal" / "map-layers.js").read_text()


@pytest.mark.parametrize(
    "query, message",
    [
        ("region=99", "Région inconnue"),
        ("mesure=densite", "Mesure inconnue"),
        ("type=hopital", "hopital"),
        ("annee_min=deux-mille", "Saisissez une année"),
        ("annee_min=2025&annee_max=2019", "L'année de début est postérieure"),
        ("annee_max=1850", "2000"),
    ],
)
def test_bad_parameters_are_explained_in_french(client, query, message):
    html = html_of(client, f"/carte/?{query}", status=400)
    assert message in html.replace("&#x27;", "'")
    assert "Certains paramètres de l'adresse ne sont pas valides" in html.replace("&#x27;", "'")


def test_unknown_departement_is_a_404_and_bad_filter_a_400(client):
    html_of(client, "/carte/999/", status=404)
    html_of(client, "/carte/93/?statut=ferme", status=400)
    html_of(client, "/carte/?page=abc")  # the table's page falls back to the first one


def cold(client, url):
    """`url` rendered by its view: the cache emptied (no cached page nor version token)."""
    cache.clear()
    return client.get(url)


def test_map_query_counts_do_not_depend_on_the_number_of_structures(
    client, django_assert_num_queries, more_structures
):
    client.get("/carte/")  # outlines simplified once per process
    client.get("/carte/93/?type=msp")  # the map drawn once per process and data version
    # Version, région (validated), régions (listed by the form's select and the filters'),
    # départements, population, box, structures + aids.
    with django_assert_num_queries(9):
        cold(client, "/carte/")
    # Version, the ids of the structures filtered (the département, its communes and the
    # rows of its structures kept by the process for the data version, QPV from the zone
    # index).
    with django_assert_num_queries(2):
        cold(client, "/carte/93/")
    more_structures("93", 30)
    client.get("/carte/93/?type=msp")
    with django_assert_num_queries(9):
        cold(client, "/carte/")
    with django_assert_num_queries(2):
        html = cold(client, "/carte/93/").content.decode()
    assert len(markers(client, html)) == 83


def test_a_departement_page_kept_for_every_filter_shows_each_request_its_own(client, views_run):
    """The page around the filtered blocks is kept per process (portal.lib.frames): each
    filter still gets its own form, figures, table and map, each response its own nonce."""
    client.get("/carte/93/?type=msp")  # the page around kept
    response = client.get("/carte/93/?type=centre-sante&annee_min=2019")
    html = response.content.decode()
    expected = Structure.objects.published().filter(
        departement__code="93", type="centre-sante", date_decision__year__gte=2019
    )
    assert 0 < expected.count() < 50
    assert re.search(r'<input[^>]*value="centre-sante"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="msp"[^>]*checked', html)
    assert re.search(r'name="annee_min"[^>]*value="2019"', html)
    assert f"{expected.count()} structure" in html and html.count('<th scope="row">') == (
        expected.count()
    )
    assert "/donnees/structures.csv?type=centre-sante&amp;annee_min=2019" in html
    assert len(markers(client, html)) == expected.with_point().count()
    nonce = response.wsgi_request.csp_nonce
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert html.count(f'nonce="{nonce}"') >= 2 and "\x00" not in html  # DSFR's and the map's
    other = html_of(client, "/carte/92/?type=centre-sante")
    assert "Structures soutenues — Hauts-de-Seine (92)" in other and "Seine-Saint-Denis" not in (
        other
    )


def test_a_structure_changed_by_an_agent_is_on_the_map_page_at_once(client):
    """The rows of a département's structures are kept per process and data version: a
    write shows on the next page, whatever its filters."""
    structure = Structure.objects.published().filter(departement__code="93", type="msp")[0]
    page = f"/carte/93/?type=msp&statut={structure.statut}"  # one page of the table
    assert structure.nom in html_of(client, page)
    structure.nom = "Maison de santé renommée par un agent"
    structure.save()
    assert "Maison de santé renommée par un agent" in html_of(client, page)
    structure.publication = "brouillon"
    structure.save()
    assert "Maison de santé renommée par un agent" not in html_of(client, page)


def test_a_renamed_qpv_is_on_the_map_page_at_once(client):
    """The QPV names of a département are kept per data version: a write shows next time."""
    from territoires.models import ZonageKind, Zone

    before = html_of(client, "/carte/93/")
    zone = (
        Zone.objects.filter(zonage__kind=ZonageKind.QPV, communes__departement__code="93")
        .distinct()
        .order_by("libelle")
        .first()
    )
    assert zone.libelle in before.replace("&#x27;", "'")
    zone.libelle = "Quartier renommé par un agent"
    zone.save()
    after = html_of(client, "/carte/93/?type=msp")
    assert "Quartier renommé par un agent" in after
