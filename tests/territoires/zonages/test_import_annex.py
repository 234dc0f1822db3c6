"""ARS annex import: well-formed files, malformed ones (nothing written), dry run, idempotency."""

import pytest
from django.core.management import CommandError, call_command

from territoires.models import ZoneCommune
from territoires.zonages.importers.acte import import_annex
from territoires.zonages.lookup import zones_for_communes

from .conftest import counts, csv_annex, spec, xlsx_annex

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    ("93066", "Saint-Denis", "ZIP+"),
    ("77379", "Provins", "Zone d'action complémentaire"),
    ("75118", "Paris 18e", "ZIP"),
    ("751166199", "Paris 16e, un IRIS", "ZIP"),
    ("91001", "Abbéville-la-Rivière", "Hors zonage"),
]


def test_well_formed_csv_in_windows_1252_creates_the_act_with_its_categories_in_order():
    content = csv_annex(GOOD_ROWS, encoding="cp1252")
    result = import_annex(content, "annexe.csv", spec(titre="Arrêté DS-2022/001"))
    assert result.errors == []
    zonage = result.zonage
    assert zonage.titre == "Arrêté DS-2022/001"
    assert zonage.editeur == "ARS Île-de-France"
    categories = list(zonage.categories.order_by("ordre").values_list("code", "eligibilites"))
    assert categories == [
        ("zip-plus", ["aides-conventionnelles", "aides-collectivites"]),
        ("zip", ["aides-conventionnelles", "aides-collectivites"]),
        ("zac", ["aides-collectivites"]),
        ("hors-zonage", []),
    ]
    zones = zones_for_communes(["93066", "77379", "75116", "75056"], date=zonage.valide_du)
    assert [m.categorie for m in zones["93066"]] == ["zip-plus"]
    assert [m.categorie for m in zones["77379"]] == ["zac"]
    # The IRIS line covers part of the 16th arrondissement, and so part of Paris.
    assert [(m.categorie, m.partiel) for m in zones["75116"]] == [("zip", True)]
    assert {(m.categorie, m.partiel) for m in zones["75056"]} == {("zip", True)}
    assert ZoneCommune.objects.get(code_iris="751166199").commune.code == "75116"


def test_xlsx_with_a_title_above_the_header_and_numeric_codes():
    content = xlsx_annex(
        [(8105, "Charleville-Mézières", "ZIP"), (51454, "Reims", "ZAC")],
        preamble=[("Annexe 1 — zonage médecins",), ()],
    )
    result = import_annex(content, "annexe.xlsx", spec(region="44"))
    assert result.errors == []
    zones = zones_for_communes(["08105", "51454"], date=result.zonage.valide_du)
    assert [m.categorie for m in zones["08105"]] == ["zip"]
    assert [m.categorie for m in zones["51454"]] == ["zac"]


def test_malformed_annex_writes_nothing_and_reports_every_line():
    before = counts()
    content = csv_annex(
        [
            ("93066", "Saint-Denis", "ZIP"),
            ("99999", "Nulle part", "ZIP"),
            ("12", "Trop court", "ZAC"),
            ("75120", "Paris 20e", ""),
            ("93066", "Saint-Denis encore", "ZAC"),
            ("67482", "Strasbourg", "ZIP"),
        ],
        sep=",",
    )
    result = import_annex(content, "annexe.csv", spec())
    assert result.errors == [
        "Ligne 3 : commune « 99999 » inconnue du référentiel.",
        "Ligne 4 : code « 12 » invalide (code INSEE à 5 caractères ou code IRIS à 9 "
        "caractères attendu).",
        "Ligne 5 : catégorie manquante pour 75120.",
        "Ligne 6 : 93066 est déjà classé « ZIP » ligne 2.",
        "Ligne 7 : Strasbourg (67482) n'est pas en région Île-de-France.",
    ]
    assert result.zonage is None
    assert counts() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"nom;valeur\nProvins;ZIP\n", "En-tête introuvable"),
        (b"code insee;commune\n77379;Provins\n", "colonne de catégorie introuvable"),
        (b"code insee;zonage\n", "aucune ligne de données"),
    ],
)
def test_file_level_problems_are_explained(content, message):
    before = counts()
    result = import_annex(content, "annexe.csv", spec())
    assert len(result.errors) == 1 and message in result.errors[0]
    assert counts() == before


def test_a_broken_xlsx_is_refused():
    result = import_annex(b"PK\x03\x04 pas un classeur", "annexe.xlsx", spec())
    assert result.errors == ["Le fichier n'est pas un classeur Excel (.xlsx) lisible."]


def test_dry_run_reports_what_would_change_and_writes_nothing():
    before = counts()
    result = import_annex(csv_annex(GOOD_ROWS), "annexe.csv", spec(), dry_run=True)
    assert result.ok and result.zonage is None
    summary = "\n".join(result.plan.summary())
    assert "Nouvel acte" in summary
    assert "5 ajouté(s), 0 retiré(s), 0 changé(s) de catégorie" in summary
    assert counts() == before


def test_second_import_changes_nothing_and_a_corrected_annex_only_the_differences():
    first = import_annex(csv_annex(GOOD_ROWS), "annexe.csv", spec())
    after_first = counts()
    again = import_annex(csv_annex(GOOD_ROWS), "annexe.csv", spec())
    assert again.zonage.pk == first.zonage.pk
    assert not again.plan.has_changes
    assert "Aucun changement" in again.plan.summary()[-1]
    assert counts() == after_first

    corrected = [*GOOD_ROWS[:1], ("77379", "Provins", "ZIP"), *GOOD_ROWS[2:4]]
    result = import_annex(csv_annex(corrected), "annexe-v2.csv", spec())
    assert (result.plan.added, result.plan.removed, result.plan.moved) == (0, 1, 1)
    zones = zones_for_communes(["77379", "91001"], date=result.zonage.valide_du)
    assert [m.categorie for m in zones["77379"]] == ["zip"]
    assert zones["91001"] == []
    # History keeps who left the zoning (Abbéville) and Provins' former zone.
    removed = ZoneCommune.history.filter(history_type="-").values_list("commune__code", flat=True)
    assert sorted(removed) == ["77379", "91001"]


def test_declared_category_order_and_unknown_labels():
    rows = [("93066", "Saint-Denis", "Zone rouge"), ("77379", "Provins", "Zone verte")]
    result = import_annex(
        csv_annex(rows), "annexe.csv", spec(), ordre_categories=["Zone verte", "Zone rouge"],
        eligibilites={"zone-rouge": ["aides-collectivites"]},
    )  # fmt: skip
    assert list(result.zonage.categories.values_list("code", "ordre", "eligibilites")) == [
        ("zone-verte", 1, []),
        ("zone-rouge", 2, ["aides-collectivites"]),
    ]
    refused = import_annex(
        csv_annex([*rows, ("91001", "Abbéville", "Zone bleue")]), "annexe.csv", spec(),
        ordre_categories=["Zone verte", "Zone rouge"],
    )  # fmt: skip
    assert refused.errors == [
        "Ligne 4 : catégorie « Zone bleue » absente de la liste ordonnée des catégories de l'acte."
    ]


def test_command_imports_and_refuses_with_line_numbers(tmp_path):
    good = tmp_path / "annexe.csv"
    good.write_bytes(csv_annex(GOOD_ROWS))
    options = {
        "profession": "infirmier", "region": "11", "arrete_date": "2023-06-15",
        "source_url": "https://example.test/arrete.pdf",
    }  # fmt: skip
    before = counts()
    dry = io_call(good, dry_run=True, **options)
    assert "Simulation (--dry-run) : rien n'a été écrit." in dry
    assert counts() == before
    done = io_call(good, **options)
    assert "Acte n°" in done and "enregistré" in done
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_annex([("93066", "Saint-Denis", "ZIP"), ("99999", "?", "ZAC")]))
    with pytest.raises(CommandError) as error:
        io_call(bad, **options)
    assert "Ligne 3 : commune « 99999 » inconnue du référentiel." in str(error.value)


def test_command_checks_its_options(tmp_path):
    path = tmp_path / "annexe.csv"
    path.write_bytes(csv_annex(GOOD_ROWS))
    with pytest.raises(CommandError, match="Région « 99 » inconnue"):
        io_call(path, profession="infirmier", region="99", arrete_date="2023-06-15",
                source_url="https://example.test/a.pdf")  # fmt: skip
    with pytest.raises(CommandError, match="date « 15/06/2023 » invalide"):
        io_call(path, profession="infirmier", region="11", arrete_date="15/06/2023",
                source_url="https://example.test/a.pdf")  # fmt: skip


def io_call(path, **options):
    import io

    out = io.StringIO()
    call_command("import_zonage", str(path), stdout=out, **options)
    return out.getvalue()
