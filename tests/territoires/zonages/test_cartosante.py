"""CartoSanté exports: the six real files of ../shared/data/zonages for régions 11 and 44
(imported once for the module), then malformed, renamed or repeated files."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from territoires.models import CategorieZone, Commune, Profession, Zonage, ZoneCommune
from territoires.zonages.importers.cartosante import import_cartosante
from territoires.zonages.lookup import zones_for_communes
from tests.quality.hostile_files import TEST_SIZE_LIMIT, hostile_files, row_counts
from tests.realdata import loaded, zonages_dir

from .conftest import counts

pytestmark = pytest.mark.django_db

REGIONS = ["11", "44"]
FILES = {
    "chirurgiens-dentistes.csv": Profession.CHIRURGIEN_DENTISTE,
    "infirmiers.csv": Profession.INFIRMIER,
    "masseurs-kinesitherapeutes.csv": Profession.MASSEUR_KINESITHERAPEUTE,
    "orthophonistes.csv": Profession.ORTHOPHONISTE,
    "sages-femmes.csv": Profession.SAGE_FEMME,
    "medecins-generalistes-derive.csv": Profession.MEDECIN_GENERALISTE,
}
# What each CartoSanté label means, written out here rather than read from the importer.
SLUGS = {
    "1_Tres_sous_dotee": "tres-sous-dotee",
    "1b_Sous_dense": "sous-dense",
    "2_Sous_dotee": "sous-dotee",
    "3_intermediaire": "intermediaire",
    "4_Tres_dotee": "tres-dotee",
    "5_Sur_dotee": "sur-dotee",
    "5b_Non_prioritaire": "non-prioritaire",
    "1_ZIP": "zip",
    "2_ZAC": "zac",
    "3_HZ": "hors-zonage",
    "4_ZAR": "zar",
    "N/A - résultat non disponible": "non-disponible",
}
AFTER_EVERY_EXPORT = dt.date(2026, 3, 6)
HEADER = "Code;Libellé;Zonage infirmiers"
TITLES = "CartoSanté; ;\r\nRéférentiel géographique : France par commune et arrondissement mun.; ;"


def content_of(name: str) -> bytes:
    return (zonages_dir() / "cartosante" / name).read_bytes()


def rows_of(name: str) -> dict[str, str]:
    """{code: label} of a real file, read without the importer."""
    lines = content_of(name).decode("utf-8-sig").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Code;"))
    return {row[0]: row[2] for row in csv.reader(lines[start + 1 :], delimiter=";") if row}


def written_rows():
    """Rows and history of acts, categories, zones, territories."""
    return (*counts(), Zonage.history.count(), CategorieZone.history.count())


@pytest.fixture(scope="class")
def imported(django_db_setup, django_db_blocker):
    results = {}

    def load():
        for name in FILES:
            results[name] = import_cartosante(content_of(name), name, regions=REGIONS)

    with loaded(django_db_blocker, load):
        yield results


def small_file(*rows, header=HEADER, titles=True, bom=True) -> bytes:
    text = "\r\n".join([*([TITLES] if titles else []), header, *rows]) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


class TestRealExports:
    """The six files, imported once for these tests (the others start without them)."""

    def test_the_six_files_are_imported_without_error(self, imported):
        assert {name: r.errors for name, r in imported.items()} == {name: [] for name in FILES}
        assert all(len(r.zonages) == 2 for r in imported.values())

    @pytest.mark.parametrize("name", FILES)
    def test_zone_of_a_sample_of_communes_matches_the_file(self, imported, name):
        labels = rows_of(name)
        profession = FILES[name]
        sample = []
        for region in REGIONS:
            codes = sorted(
                Commune.objects.filter(region__code=region, code__in=labels).values_list(
                    "code", flat=True
                )
            )
            sample += codes[:: len(codes) // 10][:10]
        assert len(sample) == 20
        zones = zones_for_communes(sample, date=AFTER_EVERY_EXPORT, profession=profession)
        found = {code: [m.categorie for m in zones[code]] for code in sample}
        assert found == {code: [SLUGS[labels[code]]] for code in sample}

    def test_ile_de_france_doctors_zip_covers_62_2_percent_of_the_population(self, imported):
        zonage = Zonage.objects.get(profession=Profession.MEDECIN_GENERALISTE, region__code="11")
        # Paris is counted once: as a commune in the total, through its arrondissements in zones.
        total = Commune.objects.filter(region__code="11").communes().aggregate(p=Sum("population"))
        zip_rows = ZoneCommune.objects.filter(zone__zonage=zonage, zone__categorie__code="zip")
        assert not zip_rows.filter(commune__arrondissements__isnull=False).exists()
        zip_population = zip_rows.aggregate(p=Sum("commune__population"))
        assert round(zip_population["p"] / total["p"], 3) == 0.622

    def test_one_act_per_profession_and_region_with_its_publisher_dates_and_source(self, imported):
        acts = {
            (z.profession, z.region.code): z
            for z in Zonage.objects.filter(kind="ars").select_related("region")
        }
        assert set(acts) == {(p, r) for p in FILES.values() for r in REGIONS}
        nurses = acts[(Profession.INFIRMIER, "44")]
        assert nurses.titre == "Zonage des infirmiers — ARS Grand Est (CartoSanté)"
        assert nurses.editeur == "ARS Grand Est — CartoSanté"
        assert (nurses.date_acte, nurses.date_export) == (None, dt.date(2026, 3, 6))
        assert nurses.valide_du == dt.date(2026, 3, 6)
        assert nurses.source.startswith("CartoSanté (ATLASANTÉ) — infirmiers.csv : export")
        assert (nurses.url, nurses.revision_publiee, nurses.demonstration) == ("", "", False)
        for profession in set(FILES.values()) - {
            Profession.INFIRMIER,
            Profession.MEDECIN_GENERALISTE,
        }:
            assert {acts[(profession, r)].date_export for r in REGIONS} == {dt.date(2025, 9, 12)}
        paris = acts[(Profession.MEDECIN_GENERALISTE, "11")]
        assert paris.titre == (
            "Zonage des médecins généralistes — ARS Île-de-France "
            "(CartoSanté, arrêté du 30 mars 2022)"
        )
        assert (paris.date_acte, paris.valide_du) == (dt.date(2022, 3, 30), dt.date(2022, 3, 30))
        assert (paris.date_export, paris.revision_publiee) == (
            dt.date(2025, 5, 9),
            "le 9 décembre 2025",
        )
        assert "dérivé d'un export CartoSanté re-codé par code postal" in paris.source
        grand_est = acts[(Profession.MEDECIN_GENERALISTE, "44")]
        assert (grand_est.date_acte, grand_est.valide_du) == (None, dt.date(2025, 5, 9))
        assert grand_est.revision_publiee == "en 2026"

    def test_categories_carry_their_order_and_the_aid_classes_they_open(self, imported):
        zonage = Zonage.objects.get(profession=Profession.MEDECIN_GENERALISTE, region__code="44")
        categories = list(zonage.categories.values_list("code", "eligibilites", "a_verifier"))
        assert categories == [
            ("zip", ["aides-conventionnelles", "aides-collectivites"], False),
            ("zac", ["aides-collectivites"], False),
            ("hors-zonage", [], False),
            ("zar", [], False),
        ]
        speech = Zonage.objects.get(profession=Profession.ORTHOPHONISTE, region__code="11")
        assert list(speech.categories.values_list("code", flat=True)) == [
            "sous-dense",
            "intermediaire",
            "tres-dotee",
            "sur-dotee",
        ]

    def test_former_codes_of_merged_communes_are_skipped_with_a_warning(self, imported):
        warnings = imported["chirurgiens-dentistes.csv"].warnings
        assert any("93059 → Saint-Denis (93066)" in w for w in warnings)
        zones = zones_for_communes(
            ["93066"], date=AFTER_EVERY_EXPORT, profession="chirurgien-dentiste"
        )
        expected = SLUGS[rows_of("chirurgiens-dentistes.csv")["93066"]]
        assert [m.categorie for m in zones["93066"]] == [expected]

    def test_second_identical_run_is_up_to_date_and_writes_nothing(self, imported):
        before = written_rows()
        result = import_cartosante(content_of("infirmiers.csv"), "infirmiers.csv", regions=REGIONS)
        assert result.ok and result.up_to_date
        assert result.summary == [
            f"« Zonage des infirmiers — ARS {region} (CartoSanté) » : déjà à jour (même fichier, "
            "mêmes options)."
            for region in ("Île-de-France", "Grand Est")
        ]
        assert written_rows() == before

    def test_same_file_compared_row_by_row_changes_no_territory(self, imported):
        """Other options (one région) give another fingerprint: the rows are compared again and
        only the fingerprint is rewritten."""
        zonage = Zonage.objects.get(profession=Profession.SAGE_FEMME, region__code="11")
        territories = ZoneCommune.objects.filter(zone__zonage=zonage).count()
        before = ZoneCommune.history.count()
        result = import_cartosante(
            content_of("sages-femmes.csv"), "sages-femmes.csv", regions=["11"]
        )
        assert result.ok and not result.up_to_date
        [plan] = result.plans
        assert (plan.added, plan.removed, plan.moved, plan.unchanged) == (0, 0, 0, territories)
        assert plan.act_changes and ZoneCommune.history.count() == before

    def test_changed_line_moves_one_territory_and_dry_run_writes_nothing(self, imported):
        labels = rows_of("infirmiers.csv")
        provins = labels["77379"]
        other = "1_Tres_sous_dotee" if provins != "1_Tres_sous_dotee" else "5_Sur_dotee"
        content = content_of("infirmiers.csv").replace(
            f"77379;Provins;{provins}".encode(), f"77379;Provins;{other}".encode()
        )
        before = written_rows()
        dry = import_cartosante(content, "infirmiers.csv", regions=REGIONS, dry_run=True)
        moves = [(p.moved, p.added, p.removed) for p in dry.plans]
        assert dry.ok and moves == [(1, 0, 0), (0, 0, 0)]
        assert "« Zonage des infirmiers — ARS Île-de-France (CartoSanté) » : à mettre à jour." in (
            dry.summary
        )
        assert written_rows() == before
        real = import_cartosante(content, "infirmiers.csv", regions=REGIONS)
        assert real.ok
        zones = zones_for_communes(["77379"], date=AFTER_EVERY_EXPORT, profession="infirmier")
        assert [m.categorie for m in zones["77379"]] == [SLUGS[other]]
        assert ZoneCommune.history.count() == before[4] + 2  # one removal, one addition

    def test_file_with_one_bad_line_refuses_everything_with_its_line_number(self, imported):
        lines = content_of("infirmiers.csv").split(b"\n")
        lines[99] = lines[99].rsplit(b";", 1)[0] + b";Zone rouge\r"
        before = written_rows()
        result = import_cartosante(b"\n".join(lines), "infirmiers.csv", regions=REGIONS)
        assert len(result.errors) == 1
        assert result.errors[0].startswith(
            "Ligne 100 : zonage « Zone rouge » inconnu pour les infirmiers (catégories connues : "
            "Zone très sous-dotée, Zone sous-dense, Zone sous-dotée"
        )
        assert written_rows() == before and result.plans == []


def test_bad_codes_duplicates_and_missing_columns_are_each_reported():
    result = import_cartosante(
        small_file(
            "93066;Saint-Denis;1_Tres_sous_dotee",
            "9306;Trop court;2_Sous_dotee",
            "93066;Saint-Denis;3_intermediaire",
            "77379;Provins",
            "77379;Provins;;",
        ),
        "export.csv",
        regions=["11"],
        date_export="2026-01-15",
    )
    assert result.errors == [
        "Ligne 5 : code « 9306 » invalide (code INSEE de commune ou d'arrondissement à 5 "
        "caractères attendu).",
        "Ligne 6 : code 93066 déjà présent ligne 4.",
        "Ligne 7 : trois colonnes attendues (Code;Libellé;Zonage), 2 trouvée(s).",
        "Ligne 8 : zonage «  » inconnu pour les infirmiers (catégories connues : Zone très "
        "sous-dotée, Zone sous-dense, Zone sous-dotée, Zone intermédiaire, Zone très dotée, "
        "Zone sur-dotée, Zone non prioritaire, Résultat non disponible).",
    ]
    assert not Zonage.objects.exists()


def test_unknown_header_is_refused_naming_what_was_expected():
    result = import_cartosante(
        small_file("93066;Saint-Denis;1", header="Code;Libellé;Zonage pharmaciens"),
        "pharmaciens.csv",
        regions=["11"],
        date_export="2026-01-15",
    )
    assert result.errors == [
        "Ligne 3 : en-tête « Zonage pharmaciens » non reconnu ; attendu « Code;Libellé;Zonage "
        "<profession> » (profession : chirurgien-dentiste, infirmiers, kinés, orthophonistes, "
        "sages-femmes, médecins généralistes)."
    ]
    annex = import_cartosante(
        b"Code INSEE;Commune;Zonage\r\n93066;Saint-Denis;ZIP\r\n", "annexe.csv", regions=["11"]
    )
    assert annex.errors[0].startswith(
        "En-tête CartoSanté introuvable (première ligne : « Code INSEE;Commune;Zonage »)"
    )


@pytest.mark.parametrize(("bom", "titles"), [(True, True), (False, False), (True, False)])
def test_file_with_or_without_bom_and_title_lines_is_read(bom, titles):
    content = small_file(
        "93066;Saint-Denis;1_Tres_sous_dotee",
        "77379;Provins;N/A - résultat non disponible",
        "67482;Strasbourg;4_Tres_dotee",
        bom=bom,
        titles=titles,
    )
    result = import_cartosante(content, "export.csv", regions=["11"], date_export="2026-01-15")
    assert result.errors == []
    assert "1 ligne(s) d'autres régions ignorée(s)." in result.summary
    zonage = Zonage.objects.get()
    assert (zonage.date_export, zonage.valide_du) == (dt.date(2026, 1, 15),) * 2
    zones = zones_for_communes(["93066", "77379"], date=dt.date(2026, 1, 15))
    assert [m.categorie for m in zones["93066"]] == ["tres-sous-dotee"]


def test_na_rows_land_in_non_disponible_to_be_checked_never_refused():
    content = small_file("77379;Provins;N/A - résultat non disponible", "93066;Saint-Denis;2_ZAC",
                         header="Code;Libellé;Zonage médecins généralistes")  # fmt: skip
    result = import_cartosante(content, "export.csv", regions=["11"], date_export="2026-01-15")
    assert result.errors == []
    [match] = zones_for_communes(["77379"], date=dt.date(2026, 1, 15))["77379"]
    assert (match.categorie, match.a_verifier, match.eligibilites) == ("non-disponible", True, [])
    category = CategorieZone.objects.get(code="non-disponible")
    assert (category.libelle, category.a_verifier) == ("Résultat non disponible", True)


def test_unknown_file_without_export_date_is_refused():
    result = import_cartosante(small_file("93066;Saint-Denis;2_Sous_dotee"), "x.csv", regions=None)
    assert result.errors == [
        "Date de l'export inconnue pour « x.csv » : les exports CartoSanté ne la portent pas, "
        "indiquez-la (--date-export AAAA-MM-JJ)."
    ]


def test_renamed_file_of_another_profession_does_not_take_the_known_copy_dates():
    content = small_file("93066;Saint-Denis;2_Sous_dotee")  # a nurses' header
    result = import_cartosante(content, "sages-femmes.csv", regions=["11"])
    assert result.errors[0].startswith("Date de l'export inconnue pour « sages-femmes.csv »")


def test_unknown_region_and_bad_date_are_refused_in_french():
    result = import_cartosante(
        small_file("93066;Saint-Denis;2_Sous_dotee"), "x.csv", regions=["99"], date_export="hier"
    )
    assert result.errors == [
        "Région « 99 » inconnue du référentiel (importez d'abord le COG).",
        "Date de l'export : date « hier » invalide (format AAAA-MM-JJ attendu).",
    ]


def test_command_prints_progress_and_summary_then_up_to_date(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        small_file("93066;Saint-Denis;1_Tres_sous_dotee", "67482;Strasbourg;2_Sous_dotee")
    )

    def run(*args):
        out = io.StringIO()
        call_command("import_zonage", str(path), "--format", "cartosante", *args, stdout=out)
        return out.getvalue()

    first = run("--date-export", "2026-01-15", "--regions", "11", "44")
    assert (
        "Zonage des infirmiers — ARS Île-de-France (CartoSanté) : 1 territoire(s) à comparer."
        in first
    )
    assert "« Zonage des infirmiers — ARS Grand Est (CartoSanté) » : créé." in first
    assert "Catégorie « Zone sous-dotée » : 1 zone(s), 1 territoire(s)." in first
    assert "export.csv : 2 acte(s) importé(s)" in first
    again = run("--date-export", "2026-01-15", "--regions", "11", "44")
    assert "export.csv : déjà à jour, rien à écrire" in again
    with pytest.raises(CommandError, match="Ligne 3 : en-tête « Zonage dentistes » non reconnu"):
        path.write_bytes(small_file("93066;Saint-Denis;1", header="Code;Libellé;Zonage dentistes"))
        run("--date-export", "2026-01-15")


def test_dry_run_command_writes_nothing(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(small_file("93066;Saint-Denis;1_Tres_sous_dotee"))
    out = io.StringIO()
    call_command("import_zonage", str(path), format="cartosante", all=True,
                 date_export="2026-01-15", dry_run=True, stdout=out)  # fmt: skip
    assert "« Zonage des infirmiers — ARS Île-de-France (CartoSanté) » : à créer." in out.getvalue()
    assert "Simulation (--dry-run) : rien n'a été écrit." in out.getvalue()
    assert not Zonage.objects.exists()


def test_annex_format_still_requires_its_act_date_and_address(tmp_path):
    path = tmp_path / "annexe.csv"
    path.write_bytes(b"Code INSEE;Commune;Zonage\r\n93066;Saint-Denis;ZIP\r\n")
    with pytest.raises(CommandError, match="Une annexe demande --arrete-date et --source-url"):
        call_command("import_zonage", str(path), profession="medecin-generaliste", region="11")


@pytest.mark.parametrize("name", sorted(hostile_files()))
def test_hostile_file_is_refused_in_french_and_writes_nothing(name, settings):
    settings.IMPORT_MAX_FILE_SIZE = TEST_SIZE_LIMIT
    before = row_counts()
    result = import_cartosante(
        hostile_files()[name], name, regions=["11"], date_export="2026-01-15"
    )
    assert len(result.errors) == 1
    assert result.errors[0].startswith(("Ligne ", "En-tête CartoSanté", "Fichier trop", "Le fich"))
    assert row_counts() == before


def test_all_regions_run_is_up_to_date_again_though_a_region_has_no_row():
    content = small_file("93066;Saint-Denis;1_Tres_sous_dotee")
    first = import_cartosante(content, "export.csv", regions=None, date_export="2026-01-15")
    assert first.warnings == ["Aucune ligne, donc aucun acte, pour : Grand Est."]
    assert [z.region.code for z in first.zonages] == ["11"]
    before = written_rows()
    again = import_cartosante(content, "export.csv", regions=["all"], date_export="2026-01-15")
    assert again.ok and again.up_to_date and written_rows() == before
