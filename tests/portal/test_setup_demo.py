"""`setup_demo` on the real zonings of régions 11 and 44: real acts replace the invented
ones, the demonstration structures reproduce the bilan on them, a second run changes
nothing, and the step says so when the folder is absent.

The setup steps run once for the module (tests/realdata.py), with their commit callbacks:
`zonages_changed` is sent as after a real run.
"""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import TestCase

from portal.management.commands.setup_demo import STEPS
from structures.models import ProfessionnelSoutenu, Structure
from territoires.models import Departement, Profession, Region, Zonage, ZonageKind
from tests.realdata import loaded, zonages_dir

pytestmark = pytest.mark.django_db

# Already run by the session fixture of tests/conftest.py.
SKIPPED_STEPS = {"migrate", "import_cog", "import_contours_local"}
# Saint-Denis, Provins, Paris 11e, Argenteuil; Strasbourg, Metz, Mars-la-Tour, Charleville.
COMMUNES = ["93066", "77379", "75111", "95018", "67482", "57463", "54353", "08105"]
BILAN_DEPARTEMENTS = {"75": 41, "77": 61, "78": 36, "91": 59, "92": 46, "93": 76, "94": 45,
                      "95": 44, None: 2}  # fmt: skip


def run_steps(names=None):
    out = io.StringIO()
    for name, kwargs in STEPS:
        if name not in SKIPPED_STEPS and (names is None or name in names):
            call_command(name, **kwargs, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture(scope="module", autouse=True)
def setup_demo(django_db_setup, django_db_blocker):
    def load():
        with TestCase.captureOnCommitCallbacks(execute=True):
            run_steps()

    with loaded(django_db_blocker, load):
        yield


def frr_communes(departement):
    path = zonages_dir() / "ruralite" / "frr-2025-07-10.csv"
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return {
        code for code, dep, _, value, *_ in (line.split(";") for line in lines)
        if dep == departement and value != "Non classée"
    }  # fmt: skip


def test_real_zonings_replace_every_demonstration_act():
    real = Zonage.objects.filter(demonstration=False)
    ars = set(real.filter(kind=ZonageKind.ARS).values_list("region__code", "profession"))
    assert ars == {(region, p) for region in ("11", "44") for p in Profession.values}
    assert real.filter(kind=ZonageKind.RURAL, region=None).count() == 2  # FRR and the old ZRR
    assert not Zonage.objects.filter(demonstration=True).exists()


def test_finder_answers_rest_on_no_demonstration_zoning(client):
    for commune in COMMUNES:
        for profession in Profession.values:
            response = client.get("/aides/", {"commune": commune, "profession": profession})
            assert response.status_code == 200
            assert "démonstration" not in response.content.decode().lower(), (commune, profession)


def test_demo_structures_reproduce_the_bilan_on_the_real_zonings(client):
    structures = Structure.objects.in_regions(["11"])
    pros = ProfessionnelSoutenu.objects.in_regions(["11"])
    assert (structures.count(), pros.count()) == (281, 129)
    per_dep = Counter(structures.values_list("departement__code", flat=True))
    per_dep.update(pros.values_list("departement__code", flat=True))
    assert per_dep == BILAN_DEPARTEMENTS
    assert structures.en_qpv().count() + pros.en_qpv().count() == 252
    # Rural is FRR: every record of Seine-et-Marne is in one of its FRR communes, none elsewhere.
    rural = [*structures.en_zone_rurale(), *pros.en_zone_rurale()]
    assert len(rural) == 61
    assert {r.commune.code for r in rural} <= frr_communes("77")
    assert not structures.filter(departement__code="77", en_qpv=True).exists()

    data = client.get("/api/v1/statistiques?region=11").json()
    assert (data["en_qpv"], data["en_zone_rurale"]) == (252, 61)
    page = client.get("/bilan/?region=11").content.decode()
    assert (
        "Zone rurale : commune classée France Ruralités Revitalisation (FRR) au 10 juillet" in page
    )
    assert page.count("compte 99 dossiers en zone rurale selon sa propre définition") == 1


def test_a_second_run_reads_nothing_again_and_changes_nothing():
    counts = [m.history.count() for m in (Zonage, Structure, ProfessionnelSoutenu)]
    output = run_steps({"import_zonages_local", "load_demo_zonages", "load_demo"})
    assert output.count("déjà à jour") >= 8
    assert "0 créé(s) ou mis à jour, 0 retiré(s)" in output
    assert "0 créé(s), 0 mis à jour, 0 supprimé(s)" in output
    assert [m.history.count() for m in (Zonage, Structure, ProfessionnelSoutenu)] == counts


def test_derived_flags_follow_a_zoning_imported_later(tmp_path, django_capture_on_commit_callbacks):
    provins = Structure.objects.get(commune__code="77379", nom__startswith="Expérimentation")
    assert provins.en_zone_rurale
    source = zonages_dir() / "ruralite" / "frr-2025-07-10.csv"
    (tmp_path / "ruralite").mkdir()
    text = source.read_bytes().replace(
        b"77379;77;Provins;FRR socle;", b"77379;77;Provins;Non class\xc3\xa9e;"
    )
    (tmp_path / "ruralite" / source.name).write_bytes(text)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_zonages_local", dir=str(tmp_path), stdout=io.StringIO())
    provins.refresh_from_db()
    assert not provins.en_zone_rurale


def test_without_the_folder_the_step_says_so_and_imports_nothing(tmp_path):
    before = Zonage.objects.count()
    out = io.StringIO()
    call_command("import_zonages_local", dir=str(tmp_path / "absent"), stdout=out)
    assert "Zonages réels absents" in out.getvalue()
    assert "PORTAL_ZONAGES_DATA_DIR" in out.getvalue()
    assert Zonage.objects.count() == before


def test_a_malformed_export_is_refused_whole_and_said(tmp_path):
    (tmp_path / "cartosante").mkdir()
    bad = "Code;Libellé;Zonage infirmiers\n93066;Saint-Denis;Zone inventée\n"
    (tmp_path / "cartosante" / "infirmiers.csv").write_text(bad, encoding="utf-8")
    before = Zonage.objects.count()
    out, err = io.StringIO(), io.StringIO()
    call_command("import_zonages_local", dir=str(tmp_path), stdout=out, stderr=err)
    assert "infirmiers.csv : Import refusé" in err.getvalue() and "Ligne 2" in err.getvalue()
    assert "Fichier(s) refusé(s), rien n'en est écrit : infirmiers.csv" in out.getvalue()
    assert Zonage.objects.count() == before


def test_portal_regions_all_imports_the_cog_of_every_region(settings, monkeypatch):
    from territoires.importers import cog
    from territoires.management.commands import import_cog

    asked = []

    def read_cog(data_dir, regions):
        asked.append(regions)
        return cog.read_cog(data_dir, ["11"])  # the whole COG takes 10 s: one région suffices

    monkeypatch.setattr(import_cog, "read_cog", read_cog)
    settings.DEFAULT_REGIONS = ["all"]
    out = io.StringIO()
    call_command("import_cog", dry_run=True, stdout=out)
    assert asked == [None]
    assert "COG (toutes les régions)" in out.getvalue()


def test_with_portal_regions_all_the_bilan_and_map_open_on_ile_de_france(client, settings):
    settings.DEFAULT_REGIONS = ["all"]
    for url in ("/bilan/", "/carte/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Île-de-France" in response.content.decode()
    bretagne = Region.objects.create(code="53", nom="Bretagne")
    Departement.objects.create(code="29", nom="Finistère", region=bretagne)
    page = client.get("/zonages/").content.decode()
    assert 'value="29"' in page  # every département can be chosen, not only 11 and 44
