"""portal.lib.maps: folium maps with local assets only and the CSP nonce on inline scripts;
light outlines and their per-process cache (territoires.maps.outlines)."""

import json
import re

import folium
import pytest
from django.core.exceptions import ImproperlyConfigured
from folium.plugins import FastMarkerCluster, MarkerCluster

from portal.lib.maps import (
    TILES,
    DataLayer,
    Outlines,
    coordinate_decimals,
    geojson_layer,
    leaflet_tiles,
    light_outline,
    light_outlines,
    new_map,
    render_map,
)
from territoires import maps as territoires_maps

SQUARE = {"type": "Polygon", "coordinates": [[[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]]]}


def full_map(**kwargs):
    fmap = new_map(bounds=(2.3, 48.8, 2.4, 48.9), **kwargs)
    geojson_layer(fmap, SQUARE, style={"color": "#000"}, name="Carré")
    rows = [[48.85, 2.35, "Une structure", 0, 0, [], 2024]]
    DataLayer(
        {"type": "markers", "rows": rows, "kinds": ["MSP"], "communes": ["Paris"], "aids": []}
    ).add_to(fmap)
    return fmap


def all_html(parts):
    return f"{parts.header}\n{parts.html}\n{parts.script}"


def test_no_script_or_stylesheet_comes_from_another_site(rf):
    html = all_html(render_map(full_map(), rf.get("/")))
    assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css))["']""", html)
    assert "/static/vendor/leaflet/leaflet.js" in assets
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in assets
    assert not [url for url in assets if re.match(r"(https?:)?//", url)]
    assert not re.search(r"https?://[^\s\"']+\.(js|css)\b", html)


def test_every_script_carries_the_request_nonce(rf):
    request = rf.get("/")
    request.csp_nonce = "n0nce-test"
    html = all_html(render_map(full_map(), request))
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert [tag for tag in scripts if "src=" not in tag]  # the map's own code is inline
    assert all('nonce="n0nce-test"' in tag for tag in scripts)


def test_the_map_does_not_restyle_the_whole_page(rf):
    parts = render_map(full_map(), rf.get("/"))
    assert "html, body" not in parts.header
    assert f'id="{parts.name}"' in parts.html


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("ign", "https://data.geopf.fr/wmts?"), ("osm", "https://tile.openstreetmap.org/")],
)
def test_tiles_follow_the_setting(settings, rf, setting, expected):
    settings.MAP_TILES = setting
    assert expected in render_map(full_map(), rf.get("/")).script


def test_without_tiles_the_outline_is_still_drawn(settings, rf):
    settings.MAP_TILES = "none"
    parts = render_map(full_map(), rf.get("/"))
    assert "tileLayer" not in parts.script
    assert "portalMaps.draw" in parts.script and "[2.3, 48.8]" in parts.html
    assert "fitBounds" in parts.script


def test_icons_needing_font_awesome_are_refused(rf):
    fmap = new_map()
    folium.Marker([48.85, 2.35], icon=folium.Icon(icon="home")).add_to(fmap)
    with pytest.raises(ImproperlyConfigured, match="Font Awesome"):
        render_map(fmap, rf.get("/"))


HOSTILE = ["{{7*7}}", "{% if %}", "{#", "{{ santé", "{{lipsum.__globals__.os.environ}}"]


@pytest.mark.parametrize("text", HOSTILE)
def test_layer_text_is_never_read_as_a_template(rf, text):
    text = f"⟦{text}⟧"  # its evaluated form would keep the marks: ⟦49⟧
    fmap = new_map(bounds=(2.3, 48.8, 2.4, 48.9))
    feature = {"type": "Feature", "geometry": SQUARE, "properties": {"nom": text}}
    geojson_layer(fmap, feature, style={}, tooltip=[("", "nom")], name=text)
    rows = [[48.85, 2.35, text, 0, 0, [0], 2024]]
    DataLayer(
        {"type": "markers", "rows": rows, "kinds": [text], "communes": [text], "aids": [text]}
    ).add_to(fmap)
    parts = render_map(fmap, rf.get("/"))
    html = all_html(parts)
    payloads = re.findall(r'<script\b[^>]*type="application/json"[^>]*>(.*?)</script>', html)
    assert len(payloads) == 2
    assert all(text in json.dumps(json.loads(p), ensure_ascii=False) for p in payloads)
    assert "⟦" not in parts.script  # data is only in the JSON, never in the map's code
    assert "⟦49⟧" not in html and "environ(" not in html


@pytest.mark.parametrize(
    "element",
    [
        lambda: folium.GeoJson(SQUARE, tooltip="Carré"),
        lambda: folium.Marker([48.85, 2.35], popup="Une structure"),
        lambda: MarkerCluster(),
        lambda: FastMarkerCluster([[48.85, 2.35]]),
    ],
)
def test_folium_elements_carrying_data_are_refused(rf, element):
    fmap = new_map()
    element().add_to(fmap)
    with pytest.raises(ImproperlyConfigured, match="DataLayer"):
        render_map(fmap, rf.get("/"))


# --- Light outlines: one simplifier, one per-process cache ----------------------------------


def wavy_square(x0, x1, y0=48.8, y1=48.9, steps=50):
    """A square whose left and right sides zigzag by 10 m: the simplifier removes it."""
    left = [(x0 + 0.0001 * (i % 2), y0 + (y1 - y0) * i / steps) for i in range(steps + 1)]
    right = [(x1 + 0.0001 * (i % 2), y1 - (y1 - y0) * i / steps) for i in range(steps + 1)]
    ring = [*left, *right, left[0]]
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


def points(geometry):
    return {tuple(p) for ring in geometry["coordinates"] for p in ring}


def test_neighbours_simplified_together_keep_their_shared_border():
    geometries = {"a": wavy_square(2.3, 2.4), "b": wavy_square(2.4, 2.5)}
    light = light_outlines(geometries, 0.002, together=True)
    assert set(light.shapes) == {"a", "b"}
    shared = points(light.shapes["a"]) & points(light.shapes["b"])
    assert len(shared) >= 2  # the border is one line, written twice
    assert all(x == round(x, 3) and y == round(y, 3) for x, y in points(light.shapes["a"]))
    assert len(points(light.shapes["a"])) < 10 < len(points(geometries["a"]))
    assert light.bounds == pytest.approx((2.3, 48.8, 2.5, 48.9), abs=0.001)


def test_finer_tolerances_keep_more_decimals_and_unreadable_outlines_are_left_out():
    light = light_outlines({"carré": SQUARE, "cassé": {"type": "Polygone"}}, 0.0003)
    assert set(light.shapes) == {"carré"}
    assert coordinate_decimals(0.0003) == 4 and coordinate_decimals(0.0015) == 3
    assert light_outline(None, 0.001) is None
    assert light_outline({"type": "Polygone"}, 0.001) is None
    assert light_outlines({}, 0.001) == Outlines({}, None)


@pytest.fixture
def contour(db):
    from territoires.models import Contour

    territoires_maps.clear_outlines_cache()
    return Contour.objects.create(
        niveau=Contour.Niveau.REGION, code="99", geometrie=wavy_square(2.3, 2.4),
        min_lon=2.3, min_lat=48.8, max_lon=2.4, max_lat=48.9, point_lon=2.35, point_lat=48.85,
    )  # fmt: skip


def test_outlines_are_kept_while_their_contours_are_unchanged(contour, django_assert_num_queries):
    first = territoires_maps.outlines(contour.niveau, ["99", "98"], 0.002)
    assert set(first.shapes) == {"99"}
    with django_assert_num_queries(1):  # the contours' dates only
        assert territoires_maps.outlines(contour.niveau, ["98", "99"], 0.002) is first
    stamps = {"99": contour.modifie_le}
    with django_assert_num_queries(0):  # dates read by the caller
        assert (
            territoires_maps.outlines(contour.niveau, ["99", "98"], 0.002, stamps=stamps) is first
        )
    contour.geometrie = wavy_square(2.3, 2.6)
    contour.save()
    changed = territoires_maps.outlines(contour.niveau, ["99", "98"], 0.002)
    assert changed.bounds == pytest.approx((2.3, 48.8, 2.6, 48.9), abs=0.001)


def test_admin_tiles_follow_the_setting(settings):
    settings.MAP_TILES = "osm"
    assert leaflet_tiles()["url"] == TILES["osm"]["tiles"]
    settings.MAP_TILES = "none"
    assert leaflet_tiles() is None
