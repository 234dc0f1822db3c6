"""QPV 2024 (real ANCT data from GEO_DATA_DIR): import, and lookups inside and outside a polygon."""

import io
import json

import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from territoires.importers.contours import read_features
from territoires.importers.qpv import import_qpv, qpv_spec
from territoires.models import Contour, Region, Zonage, Zone
from territoires.zonages.lookup import zones_at, zones_for_communes

from .conftest import QPV_FILE, counts, needs_contours, needs_qpv

pytestmark = [pytest.mark.django_db, needs_qpv, needs_contours]


@pytest.fixture
def qpv():
    result = import_qpv(read_features(QPV_FILE), qpv_spec(Region.objects.get(code="11")))
    assert result.errors == []
    return result.zonage


def qpv_shape(code):
    return shape(Zone.objects.get(code=code).geometrie)


def test_import_creates_one_zone_per_quartier_with_its_communes(qpv):
    assert qpv.kind == "qpv" and qpv.editeur == "ANCT" and not qpv.demonstration
    assert "2023-1314" in qpv.titre and "data.gouv.fr" in qpv.url
    assert qpv.zones.count() == 298
    bedier = Zone.objects.get(code="QN07501M")
    assert bedier.libelle == "Bédier - Boutroux - Villa d'Este"
    # Paris QPVs belong to their arrondissement (the 13th), found from the outlines.
    assert list(bedier.communes.values_list("code", flat=True)) == ["75113"]
    two_towns = Zone.objects.get(code="QN09305I")  # "Bobigny, Drancy" in the file
    assert sorted(two_towns.communes.values_list("code", flat=True)) == ["93008", "93029"]


def test_point_inside_a_qpv_polygon_finds_it_and_a_point_outside_does_not(qpv):
    inside = qpv_shape("QN07501M").representative_point()
    found = zones_at(lat=inside.y, lon=inside.x)
    assert [(m.code, m.partiel) for m in found if m.kind == "qpv"] == [("QN07501M", False)]
    assert found[0].libelle == "Bédier - Boutroux - Villa d'Este"

    arrondissement = shape(Contour.objects.get(niveau="commune", code="75113").geometrie)
    quartiers = shapely.union_all([shape(z.geometrie) for z in qpv.zones.all()])
    outside = arrondissement.difference(quartiers.buffer(0.001)).representative_point()
    assert [m for m in zones_at(lat=outside.y, lon=outside.x) if m.kind == "qpv"] == []
    # The commune alone (no point) says that part of the 13th is a QPV.
    by_commune = [m for m in zones_at("75113") if m.kind == "qpv"]
    assert ("QN07501M", True) in [(m.code, m.partiel) for m in by_commune]


def test_the_qpv_is_found_from_the_commune_in_bulk_too(qpv):
    zones = zones_for_communes(["93066", "77379", "77001"], kind="qpv")
    saint_denis = {m.code for m in zones["93066"]}
    assert {"QN09337M", "QN09338M", "QN09340I", "QN09341M", "QN09365N"} <= saint_denis
    assert all(m.partiel for m in zones["93066"])
    assert [(m.code, m.libelle) for m in zones["77379"]] == [("QN07717M", "Champbenoist")]
    assert zones["77001"] == []  # Achères-la-Forêt, a village


def test_reimport_is_idempotent_and_the_command_reports_it(qpv):
    before = counts()
    out = io.StringIO()
    call_command("import_qpv", str(QPV_FILE), region="11", stdout=out)
    assert "Aucun changement" in out.getvalue()
    assert counts() == before
    assert Zonage.objects.filter(kind="qpv").count() == 1


def test_malformed_features_write_nothing(tmp_path):
    before = counts()
    good = json.loads(QPV_FILE.read_text(encoding="utf-8"))["features"][0]
    features = [
        good,
        {"type": "Feature", "properties": {"code": "XX123", "nom": "?"}, "geometry": None},
        {"type": "Feature", "properties": {"code_qp": "QN07502M"}, "geometry": {"type": "Point"}},
        {**good},
    ]
    result = import_qpv(features, qpv_spec(Region.objects.get(code="11")))
    assert result.errors == [
        "Objet n° 2 (XX123) : code QPV absent ou invalide (attendu : QN07501M).",
        "Objet n° 3 (QN07502M) : géométrie absente ou qui n'est pas un polygone.",
        "Objet n° 4 (QN07501M) : code QN07501M déjà présent (objet n° 1).",
    ]
    assert counts() == before
    path = tmp_path / "qpv.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(CommandError, match="Objet n° 2"):
        call_command("import_qpv", str(path), stdout=io.StringIO())


def test_dry_run_writes_nothing():
    before = counts()
    out = io.StringIO()
    call_command("import_qpv", str(QPV_FILE), region="11", dry_run=True, stdout=out)
    assert "298 zone(s)" in out.getvalue()
    assert counts() == before
