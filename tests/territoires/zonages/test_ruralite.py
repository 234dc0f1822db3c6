"""Rurality from the real files (FRR of 10 July 2025, ZRR in COG 2021) for régions 11 and 44:
ZRR before 1 July 2024, FRR after it, through zones_at and /api/v1/lieu?date=; partial
communes; idempotent, dry, French errors."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from territoires.models import Contour, Zonage, ZonageKind
from territoires.zonages.lookup import zones_at
from tests.realdata import loaded, zonages_dir
from tests.structures.public.test_api import check, openapi  # noqa: F401 (fixture)

from .conftest import counts

pytestmark = pytest.mark.django_db
URL = reverse("portal:api_lieu")
BEFORE, AFTER = dt.date(2024, 6, 30), dt.date(2024, 7, 1)
FRR_HEADER = "Code_insee;Departement;Commune;Classement FRR et FRR+ au 10 juillet 2025;"
ZRR_HEADER = (
    '"Champ : France métropolitaine et DOM","","",""\n"Géographie : Communes, au 1er janvier '
    '2021","","",""\n"Source : ANCT","","",""\n"","","",""\n"Code Insee","Libellé de la '
    'commune","Classement en ZRR","Modalités du zonage en ZRR"\n'
    '"CODGEO","LIBGEO","ZRR_SIMP","ZONAGE_ZRR"'
)


def files():
    folder = zonages_dir() / "ruralite"
    return folder / "frr-2025-07-10.csv", folder / "zrr-cog2021.csv"


def run(*args, **options):
    out = io.StringIO()
    call_command("import_ruralite", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module", autouse=True)
def ruralite(django_db_setup, django_db_blocker):
    frr, zrr = files()
    with loaded(django_db_blocker, lambda: run(frr=str(frr), zrr=str(zrr), regions=["11", "44"])):
        yield


def rural(code, date):
    return [(m.categorie, m.partiel) for m in zones_at(code, date=date) if m.kind == "rural"]


def write(tmp_path, name, lines, header):
    path = tmp_path / name
    path.write_text("\r\n".join([header, *lines]) + "\r\n", encoding="utf-8")
    return path


def test_two_national_acts_of_one_group_frr_replacing_zrr():
    frr = Zonage.objects.get(kind=ZonageKind.RURAL, date_acte=dt.date(2025, 7, 10))
    zrr = Zonage.objects.get(kind=ZonageKind.RURAL, date_acte=dt.date(2017, 3, 16))
    assert frr.titre == (
        "Classement France Ruralités Revitalisation (FRR et FRR+) au 10 juillet 2025"
    )
    assert (frr.editeur, frr.region, frr.demonstration, frr.url) == ("DGCL / ANCT", None, False, "")
    assert (frr.valide_du, frr.valide_au) == (AFTER, None)
    assert "frr-2025-07-10.csv" in frr.source and "DGCL / ANCT" in frr.source
    assert zrr.titre == "Zones de revitalisation rurale (arrêté du 16 mars 2017 modifié)"
    assert zrr.editeur == "ANCT — Observatoire des territoires"
    assert (zrr.valide_du, zrr.valide_au) == (dt.date(2017, 7, 1), BEFORE)
    assert {(c.code, c.libelle) for c in frr.categories.all()} == {
        ("frr", "France Ruralités Revitalisation (FRR)"),
        ("frr-plus", "FRR+"),
        ("frr-beneficiaire", "Commune bénéficiaire du dispositif FRR"),
    }
    assert all(c.eligibilites == ["aides-collectivites"] for c in frr.categories.all())
    # Only the communes of the régions asked for (Grand Est and Île-de-France, 6,400 or so).
    assert frr.zones.get(categorie__code="frr-plus").communes.count() == 1068
    assert not frr.zones.filter(communes__region__code__in=["84", "76"]).exists()


def test_before_july_2024_zrr_answers_after_it_frr():
    assert rural("08001", BEFORE) == [("zrr", False)]  # Acy-Romance: ZRR, then FRR socle
    assert rural("08001", AFTER) == [("frr", False)]
    assert rural("08011", BEFORE) == []  # Anchamps: never ZRR, FRR+ since July 2024
    assert rural("08011", AFTER) == [("frr-plus", False)]
    assert rural("08162", AFTER) == [("frr-beneficiaire", False)]  # Fagnon, a former ZRR
    assert rural("08001", dt.date(2017, 6, 30)) == []  # before the 2017 arrêté applied


def test_the_api_answers_for_the_date_asked_and_says_which(client):
    before = client.get(URL, {"commune": "08001", "date": "2024-06-30"}).json()
    assert before["date"] == "2024-06-30"
    assert [(z["categorie"], z["zonage"]["date"]) for z in before["zones"]] == [
        ("zrr", "2017-03-16")
    ]
    assert before["zones"][0]["zonage"]["reference"] == (
        "classement ANCT du 16 mars 2017, via Observatoire des territoires"
    )
    after = client.get(URL, {"commune": "08001", "date": "2024-07-01"}).json()
    assert [z["categorie"] for z in after["zones"]] == ["frr"]
    assert [z["categorie"] for z in client.get(URL, {"commune": "08011"}).json()["zones"]] == [
        "frr-plus"
    ]


@pytest.mark.parametrize("value", ["30/06/2024", "2024-02-30", "hier", "20240630", "2024-6-1"])
def test_a_bad_date_is_a_french_400(client, value):
    response = client.get(URL, {"commune": "08001", "date": value})
    assert response.status_code == 400
    assert response.json() == {
        "erreur": f"Paramètre « date » invalide : « {value} » n'est pas une date AAAA-MM-JJ "
        "(ex. 2024-06-30)."
    }


def test_the_date_parameter_is_described_in_openapi(client, openapi):  # noqa: F811
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/lieu"]["get"]
    date = next(p for p in operation["parameters"] if p["name"] == "date")
    assert "AAAA-MM-JJ" in date["description"] and date["schema"]["format"] == "date"
    for params in ({"commune": "08001", "date": "2024-06-30"}, {"commune": "08001", "date": "x"}):
        check(openapi, client.get(URL, params))  # answers, 200 and 400, as described


def test_a_point_outside_the_loaded_outlines_is_not_placed_but_its_commune_answers(client):
    """National data: every commune is known, outlines only where they were loaded."""
    from tests.factories import interior_point

    lat, lon = interior_point("08011")
    Contour.objects.filter(niveau=Contour.Niveau.COMMUNE, code="08011").delete()
    response = client.get(URL, {"lat": lat, "lon": lon})
    assert response.status_code == 404
    message = response.json()["erreur"]
    assert "il n'a pas pu être placé" in message
    assert "chargés que pour Grand Est, Île-de-France" in message
    assert "Indiquez plutôt la commune" in message
    by_commune = client.get(URL, {"commune": "08011"})
    assert by_commune.status_code == 200
    assert [z["categorie"] for z in by_commune.json()["zones"]] == ["frr-plus"]


def test_a_second_import_is_quick_and_a_changed_fingerprint_still_changes_nothing():
    frr, zrr = files()
    before = counts()
    output = run(frr=str(frr), zrr=str(zrr), regions=["11", "44"])
    assert output.count("déjà à jour, fichier non relu") == 2
    # Fingerprints lost (an act edited by hand): the files are read again, nothing changes.
    Zonage.objects.filter(kind=ZonageKind.RURAL).update(empreinte="")
    output = run(frr=str(frr), zrr=str(zrr), regions=["11", "44"])
    assert output.count("0 ajouté(s), 0 retiré(s), 0 changé(s) de catégorie") == 2
    assert counts() == before  # not one territory link rewritten (history included)
    assert run(frr=str(frr), zrr=str(zrr), regions=["11", "44"]).count("déjà à jour") == 2


def test_a_dry_run_writes_nothing():
    frr, _zrr = files()
    act = Zonage.objects.get(kind=ZonageKind.RURAL, date_acte=dt.date(2025, 7, 10))
    ile_de_france = act.zones.filter(communes__region__code="11").values("communes").count()
    assert ile_de_france > 0
    before = counts()
    output = run(frr=str(frr), regions=["44"], dry_run=True)
    assert f"{ile_de_france} retiré(s)" in output  # the communes it would unlink
    assert "Simulation (--dry-run) : rien n'a été écrit." in output
    assert counts() == before


def test_frr_beneficiaire_partiellement_is_a_partial_zone(tmp_path):
    """No such commune in régions 11 and 44 (11 in France, e.g. Haut Valromey 01187): the same
    line written for a Grand Est commune."""
    path = write(
        tmp_path,
        "frr.csv",
        ["08001;08;Acy-Romance;FRR bénéficiaire partiellement;", "08011;08;Anchamps;FRR+;"],
        FRR_HEADER,
    )
    run(frr=str(path), regions=["44"])
    [match] = [m for m in zones_at("08001", date=AFTER) if m.kind == "rural"]
    assert (match.categorie, match.partiel) == ("frr-beneficiaire", True)
    assert match.libelle == "FRR bénéficiaire partiellement — à vérifier à l'adresse"
    assert rural("08011", AFTER) == [("frr-plus", False)]


def test_a_commune_nouvelle_whose_former_communes_disagree_is_partial(tmp_path):
    """Bazeilles (08053) absorbed Villers-Cernay (08475) and La Moncelle (08294): one classified,
    one not (the four such cases in France are outside 11 and 44)."""
    lines = [
        '"08475","Villers-Cernay","C - Classée en ZRR","C - Commune classée en ZRR"',
        '"08294","La Moncelle","NC - Commune non classée","NC - Commune non classée"',
        '"08001","Acy-Romance","C - Classée en ZRR","C - Commune classée en ZRR"',
        '"08999","Inconnue","NC - Commune non classée","NC - Commune non classée"',
        '"08998","Inconnue aussi","C - Classée en ZRR","C - Commune classée en ZRR"',
        '"01001","Hors région","C - Classée en ZRR","C - Commune classée en ZRR"',
        '"","","",""',
    ]
    output = run(zrr=str(write(tmp_path, "zrr.csv", lines, ZRR_HEADER)), regions=["44"])
    [match] = [m for m in zones_at("08053", date=BEFORE) if m.kind == "rural"]
    assert (match.categorie, match.partiel) == ("zrr", True)
    assert "à vérifier à l'adresse" in match.libelle
    assert rural("08001", BEFORE) == [("zrr", False)]
    assert "2 code(s) inconnu(s) du COG, ignoré(s) : 08999, 08998." in output
    assert "1 ligne(s) hors des régions choisies" in output


def test_malformed_lines_are_french_errors_and_nothing_is_written(tmp_path):
    path = write(
        tmp_path,
        "frr.csv",
        ["08001;08;Acy-Romance;FRR socle;", "08X01;08;Nulle part;FRR+;", "08011;08;Anchamps;ZRR;"],
        FRR_HEADER,
    )
    before = counts()
    with pytest.raises(CommandError) as error:
        run(frr=str(path), regions=["44"])
    message = str(error.value)
    assert "rien n'a été écrit" in message
    assert "Ligne 3 : code commune « 08X01 » invalide" in message
    assert "Ligne 4 : classement « ZRR » inconnu (valeurs attendues : Non classée" in message
    assert counts() == before


def test_command_refuses_without_file_or_with_an_unknown_region():
    with pytest.raises(CommandError, match="Indiquez au moins un fichier"):
        run()
    with pytest.raises(CommandError, match="Région\\(s\\) inconnue\\(s\\) : 99"):
        run(frr=str(files()[0]), regions=["99"])
