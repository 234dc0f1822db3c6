"""portal.lib.maps: folium maps with local assets only and the CSP nonce on inline scripts."""

import json
import re

import folium
import pytest
from django.core.exceptions import ImproperlyConfigured
from folium.plugins import FastMarkerCluster, MarkerCluster

from portal.lib.maps import DataLayer, geojson_layer, new_map, render_map

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
