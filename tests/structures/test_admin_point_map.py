"""The admin's point widget: the tiles of the public maps, handed to its script as JSON."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from portal.lib.maps import TILES

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def map_config(html: str) -> dict:
    attribute = re.search(r'class="structures-point-map"[^>]*\bdata-map="([^"]*)"', html)
    return json.loads(unescape(attribute.group(1)))


@pytest.mark.parametrize("setting", ["ign", "osm"])
def test_the_widget_uses_the_tiles_table_of_the_maps(
    client, settings, agent_93, structure_93, setting
):
    settings.MAP_TILES = setting
    assert client.login(username=agent_93.username, password=PASSWORD)
    url = reverse("admin:structures_structure_change", args=[structure_93.pk])
    html = client.get(url).content.decode()
    config = map_config(html)
    tiles = TILES[setting]
    assert config["tiles"] == {
        "url": tiles["tiles"], "attribution": tiles["attr"], "maxZoom": tiles["max_zoom"]
    }  # fmt: skip
    assert config["contour"]["type"] in {"Polygon", "MultiPolygon"}  # the commune, under the point
    assert "data-tiles-url" not in html


def test_without_tiles_the_widget_draws_no_tile_layer(client, settings, agent_93, structure_93):
    settings.MAP_TILES = "none"
    assert client.login(username=agent_93.username, password=PASSWORD)
    url = reverse("admin:structures_structure_change", args=[structure_93.pk])
    config = map_config(client.get(url).content.decode())
    assert config["tiles"] is None
    assert len(config["center"]) == 2
