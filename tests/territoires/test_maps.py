"""portal.maps: folium maps with local assets only and the CSP nonce on inline scripts."""

import re

import folium
import pytest
from django.core.exceptions import ImproperlyConfigured
from folium.plugins import MarkerCluster

from portal.maps import new_map, render_map

SQUARE = {"type": "Polygon", "coordinates": [[[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]]]}


def full_map(**kwargs):
    fmap = new_map(bounds=(2.3, 48.8, 2.4, 48.9), **kwargs)
    folium.GeoJson(SQUARE, name="Carré", tooltip="Carré").add_to(fmap)
    cluster = MarkerCluster().add_to(fmap)
    folium.Marker([48.85, 2.35], popup="Une structure").add_to(cluster)
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
    script = render_map(full_map(), rf.get("/")).script
    assert "tileLayer" not in script
    assert "L.geoJson" in script and "2.3, 48.8" in script
    assert "fitBounds" in script


def test_icons_needing_font_awesome_are_refused(rf):
    fmap = new_map()
    folium.Marker([48.85, 2.35], icon=folium.Icon(icon="home")).add_to(fmap)
    with pytest.raises(ImproperlyConfigured, match="Font Awesome"):
        render_map(fmap, rf.get("/"))
