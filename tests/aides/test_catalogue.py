"""load_aides: the real catalogue, idempotent, one transaction, honest about what is unverified."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from aides import catalogue
from aides.models import Aide, Bareme

pytestmark = pytest.mark.django_db


def load(*args, **kwargs):
    out = io.StringIO()
    call_command("load_aides", *args, stdout=out, **kwargs)
    return out.getvalue()


def test_catalogue_loads_every_scheme_with_a_source_and_a_check_date():
    output = load()
    data = catalogue.read()
    assert f"aides {len(data['aides'])} créée(s)" in output
    assert Aide.objects.count() == len(data["aides"]) >= 30
    assert not Aide.objects.filter(url_officielle="").exists()
    assert not Aide.objects.filter(verifie_le__isnull=True).exists()
    assert not Aide.objects.filter(demonstration=True).exists()  # nothing invented


def test_closed_conventional_contracts_are_archived_with_their_closing_date():
    load()
    for sigle in ("CAIM", "COTRAM", "COSCOM", "CSTM"):
        aide = Aide.objects.get(sigle=sigle)
        assert aide.statut == "archivee"
        assert aide.date_cloture == dt.date(2025, 12, 31)
    new = Aide.objects.get(slug="aide-primo-installation-medecins-zip-zac")
    assert new.date_ouverture == dt.date(2026, 1, 1)
    assert (new.montant_min, new.montant_max) == (3000, 10000)


def test_what_could_not_be_confirmed_is_marked_so():
    load()
    assert not Aide.objects.get(sigle="CAISF").montant_confirme
    assert not Aide.objects.get(sigle="CDE").informations_verifiees
    scale = Bareme.objects.get()
    assert not scale.verifie
    assert scale.paliers.order_by("de").first().montant == 600
    assert scale.paliers.order_by("-de").first().montant == 3000
    assert sorted(scale.origines.values_list("code", flat=True)) == ["51454", "54395", "67482"]


def test_second_run_changes_nothing_and_writes_no_history():
    load()
    history = Aide.history.count()
    output = load()
    assert "0 créée(s)" in output
    assert Aide.history.count() == history
    output = load(update=True)
    assert "0 mise(s) à jour" in output
    assert Aide.history.count() == history


def test_agents_edits_are_kept_unless_update_is_asked():
    load()
    Aide.objects.filter(sigle="CESP").update(resume="Modifié par un agent.")
    load()
    assert Aide.objects.get(sigle="CESP").resume == "Modifié par un agent."
    load(update=True)
    assert Aide.objects.get(sigle="CESP").resume != "Modifié par un agent."


def test_dry_run_writes_nothing():
    output = load(dry_run=True)
    assert output.startswith("Simulation : aides")
    assert Aide.objects.count() == 0


def test_bad_file_writes_nothing_and_says_why(tmp_path):
    data = catalogue.read()
    data["aides"][5]["regions"] = ["99"]
    data["aides"][7]["date_ouverture"] = "31/12/2025"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        load(str(path))
    message = str(error.value)
    assert "rien n'a été écrit" in message
    assert "absent(e)s du référentiel : 99" in message
    assert "date invalide pour date_ouverture : '31/12/2025'" in message
    assert Aide.objects.count() == 0


def test_malformed_json_is_reported_with_its_line(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text('{\n  "aides": [\n    {"slug": }\n  ]\n}', encoding="utf-8")
    with pytest.raises(CommandError, match="ligne 3"):
        load(str(path))


def test_the_catalogue_ships_with_the_aides_package_not_with_the_test_recordings():
    import tomllib
    from fnmatch import fnmatch
    from pathlib import Path

    import aides

    package = Path(aides.__file__).resolve().parent
    assert catalogue.DEFAULT_PATH.parent == package / "data"
    assert catalogue.DEFAULT_PATH.is_file()
    pyproject = tomllib.loads((package.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["aides"]
    assert any(fnmatch(str(catalogue.DEFAULT_PATH.relative_to(package)), p) for p in patterns)
