"""QPV 2024 known by commune (real ANCT file) for Grand Est, while Île-de-France keeps its real
perimeters: "partiellement en quartier prioritaire — à vérifier à l'adresse" there, the polygon
at a point here."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from shapely.geometry import shape

from territoires.models import Zonage, ZonageKind, Zone
from territoires.zonages.lookup import zones_at
from tests.factories import interior_point
from tests.realdata import loaded, zonages_dir

from .conftest import QPV_FILE, counts

pytestmark = pytest.mark.django_db
URL = reverse("portal:api_lieu")
STRASBOURG = "67482"


def qpv_file():
    return zonages_dir() / "qpv" / "qpv-2024-communes-centroides.geojson"


def run(path, **options):
    out = io.StringIO()
    call_command("import_qpv_communes", str(path), stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module", autouse=True)
def quartiers(django_db_setup, django_db_blocker):
    output = {}

    def load():
        assert QPV_FILE.is_file(), f"Périmètres des QPV absents : {QPV_FILE}"
        call_command("import_qpv_local", stdout=io.StringIO())
        output["first"] = run(qpv_file(), regions=["11", "44"])

    with loaded(django_db_blocker, load):
        yield output


def drop_grand_est():
    """Forget the Grand Est act (zones first: their categories are protected)."""
    act = Zonage.objects.get(kind=ZonageKind.QPV, region__code="44")
    act.zones.all().delete()
    act.delete()


def qpv(code, **point):
    return [(m.code, m.libelle, m.partiel) for m in zones_at(code, **point) if m.kind == "qpv"]


def test_one_act_for_grand_est_only_ile_de_france_keeps_its_perimeters(quartiers):
    assert "Île-de-France : périmètres des QPV déjà chargés, conservés" in quartiers["first"]
    [act] = Zonage.objects.filter(kind=ZonageKind.QPV, region__code="44")
    assert act.titre == "Quartiers prioritaires 2024 — liste par commune (ANCT)"
    assert (act.editeur, act.demonstration) == ("ANCT", False)
    assert act.date_acte.isoformat() == "2023-12-28" and act.valide_du.isoformat() == "2024-01-01"
    assert "qpv-2024-communes-centroides.geojson" in act.source
    assert act.zones.count() == 123  # README: 123 QPV in 73 Grand Est communes
    assert not act.zones.filter(geometrie__isnull=False).exists()
    assert act.zones.filter(perimetre__partiel=False).count() == 0
    assert Zonage.objects.filter(kind=ZonageKind.QPV, region__code="11").count() == 1


def test_a_grand_est_commune_holding_a_qpv_is_partly_in_it():
    found = qpv(STRASBOURG)
    assert ("QN06710I", "Hautepierre", True) in found
    assert len(found) == 15
    # A QPV across two communes is one zone over both.
    molkenbronn = Zone.objects.get(code="QN06709M", zonage__region__code="44")
    assert sorted(molkenbronn.communes.values_list("code", flat=True)) == ["67267", STRASBOURG]
    assert qpv("51454")[0][2] is True  # Reims
    assert qpv("08011") == []


def test_the_api_says_partly_in_the_qpv_to_check_at_the_address(client):
    lat, lon = interior_point(STRASBOURG)
    for params in ({"commune": STRASBOURG}, {"lat": lat, "lon": lon}):
        zones = client.get(URL, params).json()["zones"]
        hautepierre = next(z for z in zones if z["code"] == "QN06710I")
        assert hautepierre["partiel"] is True and hautepierre["libelle"] == "Hautepierre"
        assert hautepierre["notes"] == [
            "partiellement en quartier prioritaire (Hautepierre) — à vérifier à l'adresse"
        ]


def test_ile_de_france_still_answers_by_polygon_at_a_point():
    inside = shape(Zone.objects.get(code="QN07501M").geometrie).representative_point()
    assert qpv(None, lat=inside.y, lon=inside.x) == [
        ("QN07501M", "Bédier - Boutroux - Villa d'Este", False)
    ]


def test_the_commune_page_says_it(client):
    html = client.get(reverse("territoires:commune", args=[STRASBOURG])).content.decode()
    section = html[html.index('id="titre-zonages-commune"') :]
    assert "Hautepierre (QN06710I)" in section
    assert (
        "À noter : partiellement en quartier prioritaire (Hautepierre) — à vérifier à "
        "l&#x27;adresse." in section
    )
    assert "Quartiers prioritaires 2024 — liste par commune (ANCT)" in section
    assert "Données : ANCT (SIG Ville 2024)" in section
    assert "démonstration" not in section


def test_a_second_run_is_quick_and_a_dry_run_writes_nothing():
    before = counts()
    output = run(qpv_file())
    assert "Grand Est : déjà à jour, fichier non relu." in output
    drop_grand_est()
    after_delete = counts()
    output = run(qpv_file(), regions=["44"], dry_run=True)
    assert "Nouvel acte" in output and "Simulation (--dry-run) : rien n'a été écrit." in output
    assert counts() == after_delete
    run(qpv_file(), regions=["44"])
    assert counts()[:4] == before[:4]


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"insee_com": "67482", "code_qp": "QN06710I, QN06711M", "lib_qp": "Hautepierre"},
         "Objet n° 1 (67482) : 2 code(s) QPV mais 1 nom(s) dans « lib_qp »."),
        ({"insee_com": "67482", "code_qp": "=1+2", "lib_qp": "x"},
         "Objet n° 1 (67482) : code QPV « =1+2 » absent ou invalide"),
        ({"code_qp": "QN06710I", "lib_qp": "Hautepierre"},
         "Objet n° 1 : code commune « insee_com » absent ou invalide."),
    ],
)  # fmt: skip
def test_a_malformed_object_is_a_french_error_and_nothing_is_written(tmp_path, properties, message):
    drop_grand_est()
    path = tmp_path / "qpv.geojson"
    feature = {"type": "Feature", "properties": properties, "geometry": None}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    before = counts()
    with pytest.raises(CommandError) as error:
        run(path, regions=["44"])
    assert "Import refusé, rien n'a été écrit" in str(error.value)
    assert message in str(error.value)
    assert counts() == before
