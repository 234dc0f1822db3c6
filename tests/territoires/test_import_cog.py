"""`import_cog` on the real @etalab/decoupage-administratif data (loaded once by conftest)."""

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from territoires.importers.cog import read_cog
from territoires.models import Commune, CommuneAlias, Departement, Epci, Region

pytestmark = pytest.mark.django_db


def run_import(*args):
    out = io.StringIO()
    call_command("import_cog", *args, stdout=out)
    return out.getvalue()


def test_ile_de_france_counts():
    idf = Region.objects.get(code="11")
    assert idf.nom == "Île-de-France"
    assert idf.departements.count() == 8
    assert Commune.objects.in_regions(["11"]).communes().count() == 1266
    arrondissements = Commune.objects.filter(parent__code="75056")
    assert sorted(arrondissements.values_list("code", flat=True)) == [
        f"751{n:02d}" for n in range(1, 21)
    ]


def test_grand_est_counts():
    assert Departement.objects.filter(region__code="44").count() == 10
    assert Commune.objects.in_regions(["44"]).communes().count() == 5115
    assert not Commune.objects.in_regions(["44"]).filter(type="arrondissement").exists()


def test_only_the_default_regions_are_loaded():
    assert sorted(Region.objects.values_list("code", flat=True)) == ["11", "44"]


def test_commune_fields_come_from_the_package():
    provins = Commune.objects.with_refs().get(code="77379")
    assert provins.nom == "Provins"
    assert provins.departement.code == "77"
    assert provins.region.code == "11"
    assert provins.liste_codes_postaux == ["77160"]
    assert provins.population > 10_000
    assert provins.epci.type in {Epci.Type.CC, Epci.Type.CA}

    saint_denis = Commune.objects.with_refs().get(code="93066")
    assert saint_denis.nom_normalise == "st denis"
    assert saint_denis.ept.nom == "Plaine Commune"
    assert saint_denis.epci.nom == "Métropole du Grand Paris"

    paris_4 = Commune.objects.with_refs().get(code="75104")
    assert paris_4.type == Commune.Type.ARRONDISSEMENT
    assert paris_4.parent.code == "75056"
    assert paris_4.liste_codes_postaux == ["75004"]


def test_delegated_communes_are_aliases_not_communes():
    # Pierrefitte-sur-Seine (93059) merged into Saint-Denis on 1 January 2025.
    assert not Commune.objects.filter(code="93059").exists()
    alias = CommuneAlias.objects.get(code="93059", kind=CommuneAlias.Kind.DELEGUEE)
    assert alias.commune.code == "93066"
    assert alias.nom_normalise == "pierrefitte sur seine"
    former = CommuneAlias.objects.get(code="93059", kind=CommuneAlias.Kind.ANCIEN_CODE)
    assert former.nom == "Pierrefitte-sur-Seine"
    assert CommuneAlias.objects.filter(kind=CommuneAlias.Kind.ASSOCIEE).exists()


def test_second_run_writes_nothing():
    before = Commune.objects.count(), CommuneAlias.objects.count(), Epci.objects.count()
    output = run_import()
    assert "COG à jour : rien à écrire" in output
    assert "0 créé(e)s, 0 modifié(e)s, 6401 inchangé(e)s" in output
    assert (Commune.objects.count(), CommuneAlias.objects.count(), Epci.objects.count()) == before


def test_renamed_or_edited_commune_is_restored_and_counted():
    Commune.objects.filter(code="77379").update(nom="Provins-Ancien", population=1)
    CommuneAlias.objects.filter(code="93059").delete()
    output = run_import()
    provins = Commune.objects.get(code="77379")
    assert provins.nom == "Provins"
    assert provins.nom_normalise == "provins"
    assert provins.population > 10_000
    assert "Communes et arrondissements : 0 créé(e)s, 1 modifié(e)s" in output
    assert CommuneAlias.objects.filter(code="93059").count() == 2


def test_vanished_commune_is_deleted_unless_referenced():
    from territoires.models import CategorieZone, Zonage, Zone, ZoneCommune

    seine_et_marne = Departement.objects.get(code="77")
    common = {"departement": seine_et_marne, "region": seine_et_marne.region}
    unused = Commune.objects.create(code="77998", nom="Commune disparue", **common)
    used = Commune.objects.create(code="77999", nom="Commune zonée", **common)
    zonage = Zonage.objects.create(
        kind="qpv", titre="Test", editeur="ANCT", date_acte="2024-01-01", valide_du="2024-01-01"
    )
    categorie = CategorieZone.objects.create(zonage=zonage, code="qpv", libelle="QPV")
    zone = Zone.objects.create(zonage=zonage, categorie=categorie)
    ZoneCommune.objects.create(zone=zone, commune=used)

    output = run_import()

    assert not Commune.objects.filter(pk=unused.pk).exists()
    assert Commune.objects.filter(pk=used.pk).exists()
    assert "1 supprimé(e)s, 1 obsolète(s) conservé(e)s" in output
    assert "Absente du COG, conservée : Commune zonée (77999)" in output


def test_dry_run_writes_nothing():
    Commune.objects.filter(code="77379").update(nom="Autre nom")
    output = run_import("--dry-run")
    assert "Essai à blanc : 1 écriture(s)" in output
    assert Commune.objects.get(code="77379").nom == "Autre nom"


def test_unknown_region_or_missing_package_is_a_french_error(tmp_path):
    with pytest.raises(CommandError, match="région inconnu"):
        run_import("--regions", "99")
    with pytest.raises(CommandError, match="introuvable"):
        run_import("--data-dir", str(tmp_path))


def test_all_regions_selection_reads_the_whole_package():
    data = read_cog(settings.COG_DATA_DIR, None)
    assert len(data.regions) >= 18
    assert len(data.communes) > 34_000
    # Paris, Lyon and Marseille.
    assert len(data.arrondissements) == 20 + 9 + 16
