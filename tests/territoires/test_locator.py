"""The locator on the real contours: well-known places, the sea, bad input, changes."""

import pytest
from django.conf import settings

from portal.lib import dataversion
from territoires import locator
from territoires.models import Commune, Contour

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not settings.GEO_DATA_DIR.is_dir(), reason="PORTAL_GEO_DATA_DIR absent (contours)"
    ),
]

NOTRE_DAME = (48.85296, 2.34990)
PROVINS = (48.5600, 3.2990)
STRASBOURG_CATHEDRAL = (48.58189, 7.75103)
PIERREFITTE = (48.9650, 2.3620)
ATLANTIC = (46.5, -4.0)


def test_notre_dame_is_in_paris_4th_arrondissement():
    place = locator.locate_place(*NOTRE_DAME)
    assert (place.commune.code, place.arrondissement.code) == ("75056", "75104")
    found = locator.locate(*NOTRE_DAME)
    assert found.code == "75104" and found.parent.code == "75056"


@pytest.mark.parametrize(
    ("point", "code"),
    [(PROVINS, "77379"), (STRASBOURG_CATHEDRAL, "67482"), (PIERREFITTE, "93066")],
)
def test_known_places(point, code):
    assert locator.locate_codes(*point) == locator.Codes(commune=code, arrondissement=None)
    assert locator.locate(*point).code == code


def test_a_point_at_sea_or_outside_the_regions_is_nowhere():
    assert locator.locate_codes(*ATLANTIC) is None
    assert locator.locate(43.2965, 5.3698) is None  # Marseille: région not loaded


@pytest.mark.parametrize(
    "point", [(float("nan"), 2.35), (95.0, 2.35), (48.85, 181.0), ("48.85", 2.35), (None, 2)]
)
def test_bad_coordinates_give_no_answer(point):
    assert locator.locate_codes(*point) is None


def test_lookups_need_no_query_once_built(django_assert_num_queries):
    # Built, and the data version it follows read once (each test starts with an empty
    # cache; a fixture's read is only remembered for a quarter of a second).
    locator.locate_codes(*PROVINS)
    with django_assert_num_queries(0):
        for _ in range(10):
            locator.locate_codes(*PROVINS)
    dataversion.current()
    Commune.objects.by_codes(["75101"])  # the communes and their territories, read once
    with django_assert_num_queries(0):
        assert locator.locate_place(*NOTRE_DAME).precise.code == "75104"


def test_the_index_follows_contour_changes():
    assert locator.locate_codes(*PROVINS).commune == "77379"
    Contour.objects.get(niveau="commune", code="77379").delete()
    assert locator.locate_codes(*PROVINS) is None
