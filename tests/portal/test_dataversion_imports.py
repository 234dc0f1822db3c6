"""Every territory import moves the public data version; a dry run or a rollback does not.

The territories' bulk writers (COG, contours, zonings) send no model signal: without their
own `bump()`, the page cache and the finder's results would keep answering the old data.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from portal.lib.dataversion import current
from territoires.importers.contours import import_contours
from territoires.models import Commune, Contour, ZoneCommune
from territoires.zonages.importers.acte import import_annex
from tests.factories import square
from tests.territoires.zonages.conftest import csv_annex, spec

pytestmark = pytest.mark.django_db

ROWS = [("93066", "Saint-Denis", "ZIP"), ("77379", "Provins", "Zone d'action complémentaire")]


def import_cog(*args):
    call_command("import_cog", "--regions", "11", *args, stdout=io.StringIO())


def test_cog_import_moves_the_version_and_its_dry_run_does_not():
    Commune.objects.filter(code="77379").update(nom="Provins-Ancien")  # no signal: same token
    before = current()
    import_cog("--dry-run")
    assert current() == before
    import_cog()
    assert Commune.objects.get(code="77379").nom == "Provins"
    assert current() != before


def test_an_unchanged_cog_import_keeps_the_version():
    before = current()
    import_cog()
    assert current() == before


def test_contour_import_moves_the_version_unless_rolled_back():
    feature = {
        "type": "Feature",
        "properties": {"code": "77379"},
        "geometry": square(48.56, 3.29, half=0.01),
    }
    before = current()
    with pytest.raises(RuntimeError), transaction.atomic():
        import_contours([feature], Contour.Niveau.COMMUNE, "test.geojson")
        raise RuntimeError
    assert current() == before
    with transaction.atomic():
        import_contours([feature], Contour.Niveau.COMMUNE, "test.geojson")
    assert current() != before


def test_zoning_import_moves_the_version_and_its_dry_run_does_not():
    content = csv_annex(ROWS)
    before = current()
    dry = import_annex(content, "annexe.csv", spec(), dry_run=True)
    assert dry.errors == [] and current() == before
    result = import_annex(content, "annexe.csv", spec())
    assert ZoneCommune.objects.filter(zone__zonage=result.zonage).count() == 2
    assert current() != before


def test_zone_territories_added_in_bulk_move_the_version():
    """Adding territories to existing zones writes them with bulk_create only."""
    first = import_annex(csv_annex(ROWS[:1]), "annexe.csv", spec())
    before = current()
    import_annex(csv_annex([*ROWS[:1], ("93048", "Montreuil", "ZIP")]), "annexe.csv", spec())
    assert ZoneCommune.objects.filter(zone__zonage=first.zonage).count() == 2
    assert current() != before
