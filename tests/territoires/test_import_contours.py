"""`import_contours` / `import_contours_local` on the official files of settings.GEO_DATA_DIR."""

import io
import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from shapely.geometry import Point, shape

from territoires.models import Contour

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not settings.GEO_DATA_DIR.is_dir(), reason="PORTAL_GEO_DATA_DIR absent (contours)"
    ),
]


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def contains(code, lon, lat, niveau=Contour.Niveau.COMMUNE):
    contour = Contour.objects.get(niveau=niveau, code=code)
    return shape(contour.geometrie).contains(Point(lon, lat))


def test_every_level_is_loaded_from_the_local_files():
    assert set(Contour.objects.filter(niveau="region").values_list("code", flat=True)) == {
        "11",
        "44",
    }
    assert Contour.objects.filter(niveau="departement").count() == 18
    communes = Contour.objects.filter(niveau="commune")
    # Every current commune of both régions, plus the 20 Paris arrondissements.
    assert communes.count() == 1266 + 5115 + 20
    assert communes.filter(code__startswith="751").count() == 20


def test_stored_contour_has_bbox_and_an_inner_point():
    provins = Contour.objects.get(niveau="commune", code="77379")
    assert provins.min_lon < 3.29 < provins.max_lon
    assert provins.min_lat < 48.56 < provins.max_lat
    assert contains("77379", provins.point_lon, provins.point_lat)
    assert provins.source == "communes-77-seine-et-marne.geojson"


def test_former_2018_communes_are_merged_into_their_current_commune():
    # Pierrefitte-sur-Seine (93059, 2018 file) is part of Saint-Denis since 2025.
    assert not Contour.objects.filter(code="93059").exists()
    assert contains("93066", 2.3620, 48.9650)  # Pierrefitte town centre
    assert contains("93066", 2.3597, 48.9357)  # Basilique de Saint-Denis


def test_second_run_writes_nothing():
    before = dict(Contour.objects.values_list("code", "modifie_le"))
    output = run("import_contours_local")
    assert "contours à jour" in output
    assert dict(Contour.objects.values_list("code", "modifie_le")) == before


def test_changed_outline_is_updated_and_reported(tmp_path):
    feature = {
        "type": "Feature",
        "properties": {"code": "77379", "nom": "Provins"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[3.2, 48.5], [3.4, 48.5], [3.4, 48.6], [3.2, 48.5]]],
        },
    }
    path = tmp_path / "provins.geojson"
    path.write_text(json.dumps(feature))  # a bare Feature, like region-*.geojson
    output = run("import_contours", "--level", "commune", str(path))
    assert "1 objet(s) rapproché(s)" in output
    assert "0 créé(e)s, 1 modifié(e)s" in output
    provins = Contour.objects.get(niveau="commune", code="77379")
    assert provins.bbox == (3.2, 48.5, 3.4, 48.6)
    assert "0 créé(e)s, 0 modifié(e)s, 1 inchangé(e)s" in run(
        "import_contours", "--level", "commune", str(path)
    )


def test_unknown_codes_are_reported_not_fatal(tmp_path):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": "13055"}, "geometry": None},
            {"type": "Feature", "properties": {}, "geometry": None},
        ],
    }
    path = tmp_path / "autres.geojson"
    path.write_text(json.dumps(collection))
    output = run("import_contours", "--level", "commune", str(path))
    assert "2 non rapproché(s)" in output
    assert "13055, objet n° 2 sans code" in output


def test_dry_run_writes_nothing(tmp_path):
    Contour.objects.filter(code="75104").delete()
    path = settings.GEO_DATA_DIR / "paris" / "arrondissements-municipaux-paris.geojson"
    output = run("import_contours", "--level", "commune", str(path), "--dry-run")
    assert "Essai à blanc : 1 contour(s)" in output
    assert not Contour.objects.filter(code="75104").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("pas du json", "n'est pas un fichier GeoJSON valide"),
        ('{"type": "Point", "coordinates": [2, 48]}', "ni FeatureCollection ni Feature"),
    ],
)
def test_bad_file_is_a_french_error(tmp_path, content, message):
    path = tmp_path / "mauvais.geojson"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run("import_contours", "--level", "region", str(path))
    with pytest.raises(CommandError, match="Fichier illisible"):
        run("import_contours", "--level", "region", str(tmp_path / "absent.geojson"))


def test_default_source_is_etalab_and_network_failure_is_explained(monkeypatch):
    asked = []

    def offline(url, timeout):
        asked.append(url)
        raise urllib.error.URLError("réseau indisponible")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(CommandError, match="Téléchargement impossible"):
        run("import_contours", "--level", "departement")
    assert asked == [
        "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/latest/geojson/"
        "departements-100m.geojson"
    ]


def test_missing_local_folder_is_not_a_failure(tmp_path):
    output = run("import_contours_local", "--dir", str(tmp_path / "absent"))
    assert "Aucun contour local" in output
