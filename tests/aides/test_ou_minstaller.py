"""« Où m'installer ? » (/aides/ou-minstaller/) on the real kinés' CartoSanté zoning and the
real catalogue: each row is the finder's answer for that commune, judged once per signature."""

import csv
import io
import re
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

import aides.installation.search
import aides.search
from territoires.models import Profession
from territoires.zonages.importers.cartosante import import_cartosante
from territoires.zonages.lookup import get_index
from tests.factories import AideFactory
from tests.realdata import loaded, zonages_dir

pytestmark = pytest.mark.django_db
PAGE = reverse("aides:ou_minstaller")
FINDER = reverse("aides:finder")
KINE = Profession.MASSEUR_KINESITHERAPEUTE
HOSTILE_AID = '=HYPERLINK("http://exemple.invalid";"clic")<script>alert(1)</script>{{7*7}}'


@pytest.fixture(scope="module", autouse=True)
def real_kines(django_db_setup, django_db_blocker):
    content = (zonages_dir() / "cartosante" / "masseurs-kinesitherapeutes.csv").read_bytes()

    def load():
        result = import_cartosante(content, "masseurs-kinesitherapeutes.csv", regions=["11", "44"])
        assert not result.errors
        call_command("load_aides", stdout=io.StringIO())

    with loaded(django_db_blocker, load):
        yield


def table(client, **params):
    response = client.get(PAGE, {"profession": KINE, **params})
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def all_rows(client, **params):
    """Every row of the table, read from the CSV (the page shows them 50 at a time)."""
    response = client.get(PAGE, {"profession": KINE, "format": "csv", **params})
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


# The finder's "12 aides à Bobigny" heading.
RESULTS_COUNT = re.compile(r'<h2 id="titre-resultats"[^>]*>\s*(\d+) aides?')


def finder_count(client, code, **params):
    response = client.get(FINDER, {"commune": code, "profession": KINE, **params})
    assert response.status_code == 200
    return int(RESULTS_COUNT.search(response.content.decode()).group(1))


def test_each_row_is_the_finders_answer_for_that_commune(client):
    rows = all_rows(client, departement="93")
    assert len(rows) == 39  # Seine-Saint-Denis' communes (COG)
    cache.clear()  # the finder judges on its own
    for row in rows[:: max(1, len(rows) // 12)]:
        assert int(row["nombre_aides"]) == finder_count(client, row["code_insee"]), row
    assert {int(row["nombre_aides"]) for row in rows} != {0}


def test_paris_is_listed_by_arrondissement_with_the_finders_answer(client):
    rows = {row["code_insee"]: row for row in all_rows(client, departement="75")}
    assert "75056" not in rows
    assert len(rows) == 20 and "75120" in rows
    cache.clear()
    for code in ("75101", "75119"):
        assert int(rows[code]["nombre_aides"]) == finder_count(client, code)


def test_the_finder_link_of_a_row_opens_the_search_for_that_place(client):
    response = table(client, departement="93", etape="installation")
    ligne, lien = response.context["rows"][0]
    assert lien == f"{FINDER}?commune={ligne.code}&profession={KINE}&etape=installation"
    assert lien.replace("&", "&amp;") in response.content.decode()
    cache.clear()
    params = {"etape": "installation"}
    assert finder_count(client, ligne.code, **params) == ligne.reponse.aides


def test_the_finder_opened_from_a_row_reads_the_verdicts_the_table_judged(client, monkeypatch):
    rows = all_rows(client, departement="93")
    calls = []
    real = aides.search.judge_place
    monkeypatch.setattr(aides.search, "judge_place", lambda *a: calls.append(a) or real(*a))
    for row in rows[:3]:
        assert finder_count(client, row["code_insee"]) == int(row["nombre_aides"])
    assert calls == []  # the finder's cache, keyed by signature, was filled by the table
    cache.clear()
    assert finder_count(client, rows[0]["code_insee"]) == int(rows[0]["nombre_aides"])
    assert len(calls) == 1


def test_communes_with_the_same_zones_share_one_judgement(client, monkeypatch):
    calls = []
    real = aides.installation.search.judge

    def counted(aide, ici, profession):
        calls.append(ici.zones)
        return real(aide, ici, profession)

    monkeypatch.setattr(aides.installation.search, "judge", counted)
    response = table(client, region="44")
    result = response.context["result"]
    assert len(result.lignes) > 5000  # Grand Est's communes
    assert result.signatures < len(result.lignes) / 10
    aids = len({id(z) for z in calls})  # one zones list per judged signature
    assert aids == result.signatures
    groups = defaultdict(set)
    for ligne in result.lignes:
        groups[ligne.groupe].add(ligne.reponse)
    assert all(len(answers) == 1 for answers in groups.values())
    assert any(sum(1 for x in result.lignes if x.groupe == g) > 1 for g in groups)
    calls.clear()
    table(client, region="44", tri="nom")  # same data version and profile: read back
    assert calls == []


def test_filters_narrow_the_territory_and_the_aids(client):
    grand_est = all_rows(client, region="44")
    vosges = all_rows(client, departement="88")
    assert {row["departement"] for row in vosges} == {"88"}
    assert {row["code_insee"] for row in vosges} < {row["code_insee"] for row in grand_est}
    by_code = {row["code_insee"]: int(row["nombre_aides"]) for row in vosges}
    etudiants = {
        row["code_insee"]: int(row["nombre_aides"])
        for row in all_rows(client, departement="88", public="etudiant")
    }
    assert set(etudiants) == set(by_code)
    assert etudiants != by_code
    cache.clear()
    code = next(iter(etudiants))
    assert etudiants[code] == finder_count(client, code, public="etudiant")


def test_sorting_by_aids_amount_and_name(client):
    by_aids = [int(r["nombre_aides"]) for r in all_rows(client, departement="93")]
    assert by_aids == sorted(by_aids, reverse=True)
    rows = all_rows(client, departement="93", tri="montant")
    by_amount = [int(r["montant_cumule_connu_euros"]) for r in rows]
    assert by_amount == sorted(by_amount, reverse=True)
    names = [r["commune"] for r in all_rows(client, departement="93", tri="nom")]
    assert names[:2] == ["Aubervilliers", "Aulnay-sous-Bois"]
    page = table(client, departement="93", tri="nom").content.decode()
    assert '<strong aria-current="true">Nom de la commune (A à Z)</strong>' in page


def test_pagination_keeps_the_query_string(client):
    response = table(client, region="11", tri="nom")
    page = response.context["page_obj"]
    assert page.paginator.num_pages > 10 and len(page.object_list) == 50
    second = table(client, region="11", tri="nom", page=2)
    first_codes = {ligne.code for ligne, _ in response.context["rows"]}
    assert not first_codes & {ligne.code for ligne, _ in second.context["rows"]}
    nav = response.content.decode().split('class="fr-pagination"')[1].split("</nav>")[0]
    assert "tri=nom" in nav and "page=2" in nav


def test_csv_headers_and_content(client):
    response = client.get(PAGE, {"profession": KINE, "departement": "93", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="ou-minstaller-{KINE}.csv"'
    rows = all_rows(client, departement="93")
    assert list(rows[0]) == [
        "code_insee", "commune", "departement", "nombre_aides", "dont_a_verifier",
        "montant_cumule_connu_euros", "aides_sans_montant_connu", "zones", "recherche",
    ]  # fmt: skip
    saint_denis = next(r for r in rows if r["code_insee"] == "93066")
    assert saint_denis["commune"] == "Saint-Denis"
    assert "kinés" in saint_denis["zones"].lower() or "CartoSanté" in saint_denis["zones"]
    assert saint_denis["recherche"] == (
        f"http://testserver{FINDER}?commune=93066&profession={KINE}"
    )


def test_hostile_aid_name_is_text_in_the_page_and_the_csv(client):
    AideFactory(nom=HOSTILE_AID, slug="aide-hostile", professions=[KINE], regions=["11"],
                montant_max=None)  # fmt: skip
    rows = all_rows(client, departement="93")
    assert all(r["aides_sans_montant_connu"].startswith("'=HYPERLINK") for r in rows)
    page = table(client, departement="93").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert (
        "<li>=HYPERLINK(&quot;http://exemple.invalid&quot;;&quot;clic&quot;)&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}</li>"
        in page
    )
    assert "49" not in page.split("&lt;script&gt;alert(1)&lt;/script&gt;")[1][:10]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"profession": ""}, "Choisissez une profession."),
        ({"profession": "sorcier"}, "Profession inconnue : choisissez dans la liste."),
        ({"profession": KINE, "departement": "99"}, "Département inconnu"),
        ({"profession": KINE, "region": "84"}, "Région inconnue"),
        ({"profession": KINE, "region": "11", "departement": "88"}, "pas dans la région"),
        ({"profession": KINE, "tri": "prix"}, "Tri inconnu"),
        ({"profession": KINE, "page": "-1"}, "Numéro de page invalide."),
        ({"profession": KINE, "format": "xlsx"}, "Format inconnu"),
        ({"profession": KINE, "etape": "x"}, "Valeur inconnue"),
        ({"profession": KINE, "pirate": "1"}, "Paramètre(s) inconnu(s) : « pirate »"),
    ],
)
def test_bad_parameters_answer_a_french_400(client, params, message):
    response = client.get(PAGE, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_without_parameters_the_form_is_shown(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert 'name="profession"' in response.content.decode()
    assert "result" not in response.context


def test_query_count_is_pinned_and_constant_with_more_communes(client, django_assert_num_queries):
    get_index()
    territories = ({"departement": "93"}, {"region": "44"}, {})  # 39, 5,100, 6,400 communes
    for params in territories:
        table(client, **params)  # warms the contours kept per process
    counts = []
    for params in territories:
        cache.clear()
        with django_assert_num_queries(11) as captured:
            table(client, **params)
        counts.append(len(captured))
    assert len(set(counts)) == 1


def test_map_and_its_table_alternative(client):
    page = table(client, departement="93").content.decode()
    assert 'href="#table-communes"' in page and 'id="table-communes"' in page
    assert "portalMaps.draw" in page
    assert "Légende : nombre d'aides par commune" in page
    assert page.count('"Feature"') == 39  # each commune, named in its tooltip
    assert "Saint-Denis (93066) : " in page


def test_a_region_map_draws_one_shape_per_answer(client):
    response = table(client, region="44")
    answers = {ligne.reponse for ligne in response.context["result"].lignes}
    page = response.content.decode()
    assert page.count('"Feature"') == len(answers) < 100
    assert len(page) < 1_000_000  # not 5,000 outlines
    assert " communes : " in page


def test_the_finder_and_the_menu_link_to_the_page(client):
    finder = client.get(FINDER).content.decode()
    assert f'<a href="{PAGE}" id="lien-ou-minstaller">' in finder
    page = client.get(PAGE).content.decode()
    assert f'class="fr-nav__link" href="{PAGE}" target="_self" aria-current="page">' in page
    assert f'href="{FINDER}" target="_self">Trouver une aide' in page  # not current here
