"""Map layers as GeoJSON endpoints: the pages name them, browsers cache them by data version."""

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from structures.models import Structure
from tests.structures.public.test_maps import html_of, layers, markers

pytestmark = pytest.mark.usefixtures("demo_db", "no_network_tiles")

YEAR = "public, max-age=31536000, immutable"
MAP_PART = re.compile(r'<script\b[^>]*type="application/json"[^>]*>.*?</script>', re.DOTALL)


def layer_urls(html) -> dict[str, list[str]]:
    return {layer["name"]: layer["urls"] for layer in layers(html)}


def geojson(client, url, status=200, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == status, url
    return response, (json.loads(response.content) if status == 200 else None)


def map_bytes(html) -> int:
    """What the page spends on its map layers (their declarations beside the map)."""
    return sum(len(part.encode()) for part in MAP_PART.findall(html))


def test_map_pages_no_longer_carry_features_and_stay_small(client, more_structures):
    regional, departement = html_of(client, "/carte/"), html_of(client, "/carte/93/")
    for html in (regional, departement):
        assert '"Feature"' not in html and '"coordinates"' not in html
        assert len(html.encode()) <= 60_000
    more_structures("93", 120)  # 53 → 173 structures in the département
    regional_after, departement_after = html_of(client, "/carte/"), html_of(client, "/carte/93/")
    # The layers' declarations only change by the version in their URLs.
    assert abs(map_bytes(regional_after) - map_bytes(regional)) < 100
    assert abs(map_bytes(departement_after) - map_bytes(departement)) < 100
    assert len(regional_after.encode()) <= 60_000
    assert len(markers(client, departement_after)) == 173


def test_structures_layer_is_geojson_with_what_popups_show(client):
    url = layer_urls(html_of(client, "/carte/93/"))["Structures soutenues"][0]
    assert re.fullmatch(r"/carte/couches/[^/]+/93/structures\.geojson", url)
    response, data = geojson(client, url)
    assert data["type"] == "FeatureCollection"
    assert (
        len(data["features"])
        == Structure.objects.published().filter(departement__code="93").count()
    )
    feature = data["features"][0]
    assert feature["geometry"]["type"] == "Point"
    lon, lat = feature["geometry"]["coordinates"]
    assert 1.4 < lon < 8.3 and 47.4 < lat < 50.2
    assert set(feature["properties"]) == {"nom", "type", "commune", "aides", "annee"}
    assert any(f["properties"]["aides"] for f in data["features"])
    assert response["Cache-Control"] == YEAR
    assert response["ETag"].startswith('"')


def test_outline_layers_of_a_departement_and_of_a_region(client):
    urls = layer_urls(html_of(client, "/carte/93/"))
    _, outline = geojson(client, urls["Seine-Saint-Denis"][0])
    assert [f["properties"]["nom"] for f in outline["features"]] == ["Seine-Saint-Denis"]
    _, qpv = geojson(client, urls["Quartiers prioritaires"][0])
    assert qpv["features"] and all(
        f["geometry"]["type"].endswith("Polygon") for f in qpv["features"]
    )
    regional = layers(html_of(client, "/carte/?mesure=taux"))
    choropleth = next(layer for layer in regional if layer["name"] == "Départements")
    _, departements = geojson(client, choropleth["urls"][0])
    ids = [f["id"] for f in departements["features"]]
    assert ids == ["75", "77", "78", "91", "92", "93", "94", "95"]
    # Colours and texts come from the page, joined by id: the outlines serve every measure.
    assert set(choropleth["join"]) == set(ids)
    assert "pour 100 000 habitants" in choropleth["join"]["93"]["texte"]
    # Coordinates are rounded to the scale of the simplification.
    ring = departements["features"][0]["geometry"]["coordinates"][0]
    assert all(len(str(x).split(".")[-1]) <= 3 for x in ring[0])


def test_regional_markers_are_the_layers_of_its_departements(client):
    urls = layer_urls(html_of(client, "/carte/?type=msp"))["Structures soutenues"]
    assert all(url.endswith("/structures.geojson?type=msp") for url in urls)
    assert len(urls) == len({url.split("/")[-2] for url in urls}) <= 8


def test_hostile_names_stay_json_strings(client):
    structure = Structure.objects.published().filter(departement__code="93").first()
    structure.nom = "</script><script>alert(1)</script> & {{7*7}}"
    structure.save()
    url = layer_urls(html_of(client, "/carte/93/"))["Structures soutenues"][0]
    response, data = geojson(client, url)
    body = response.content.decode()
    assert "<" not in body and ">" not in body and "{{7*7}}" in body
    assert structure.nom in {f["properties"]["nom"] for f in data["features"]}


def test_revalidation_is_a_304_without_queries(client, django_assert_num_queries):
    url = layer_urls(html_of(client, "/carte/93/"))["Communes"][0]
    response, _ = geojson(client, url)
    etag = response["ETag"]
    with django_assert_num_queries(0):
        again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == YEAR
    assert client.get(url, headers={"If-None-Match": '"autre"'}).status_code == 200


def test_a_change_gives_new_urls_and_old_ones_answer_current_data_briefly(client):
    before = layer_urls(html_of(client, "/carte/93/"))["Structures soutenues"][0]
    old_response, _ = geojson(client, before)
    structure = Structure.objects.published().filter(departement__code="93").first()
    structure.nom = "Maison de santé renommée"
    structure.save()
    after = layer_urls(html_of(client, "/carte/93/"))["Structures soutenues"][0]
    assert after != before
    response, data = geojson(client, after)
    assert "Maison de santé renommée" in {f["properties"]["nom"] for f in data["features"]}
    assert response["ETag"] != old_response["ETag"]
    stale, stale_data = geojson(client, before)
    assert stale_data == data and stale["Cache-Control"] == "public, max-age=60"


def test_layer_errors(client):
    url = layer_urls(html_of(client, "/carte/93/"))["Structures soutenues"][0]
    geojson(client, url.replace("/93/", "/999/"), status=404)
    response, _ = geojson(client, url + "?statut=ferme", status=400)
    assert "statut" in response.content.decode().lower()
    assert client.post(url).status_code == 405


def test_layer_query_counts_do_not_depend_on_the_number_of_structures(client, more_structures):
    def counts():
        html = html_of(client, "/carte/93/")
        urls = [url for layer in layers(html) for url in layer["urls"]]
        urls += layer_urls(html_of(client, "/carte/"))["Départements"]
        found = {}
        for url in urls:
            cache.clear()  # built by the view, not read from the cache
            with CaptureQueriesContext(connection) as context:
                assert client.get(url).status_code == 200
            found[url.rsplit("/", 1)[-1]] = len(context.captured_queries)
        return found

    counts()  # outlines simplified once per process (alone, this test ran it first)
    first = counts()
    assert all(n <= 12 for n in first.values()), first
    more_structures("93", 30)
    client.get("/carte/93/")  # outlines simplified once per process
    assert counts() == first
