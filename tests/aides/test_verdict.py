"""Three answers per aid at a place: éligible (why), à vérifier (what is uncertain), non
applicable (why not) — in the engine, the finder, the aid page and /api/v1/aides."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aides.eligibility import Statut, verdicts
from aides.models import Aide, ConditionZonage
from portal.lib.dataversion import bump
from territoires.zonages.importers.cartosante import import_cartosante
from territoires.zonages.lookup import zones_at
from tests.factories import (
    AideFactory,
    CategorieZoneFactory,
    QpvZoneFactory,
    ZonageFactory,
    ZoneFactory,
    interior_point,
)
from tests.realdata import loaded, zonages_dir

pytestmark = pytest.mark.django_db
FINDER = reverse("aides:finder")
API = "/api/v1/aides"
TODAY = dt.date(2026, 11, 23)
SAINT_DENIS, PROVINS, MONTREUIL = "93066", "77379", "93048"
CATEGORY_OF_LABEL = {
    "1_Tres_sous_dotee": "tres-sous-dotee", "2_Sous_dotee": "sous-dotee",
    "3_intermediaire": "intermediaire", "4_Tres_dotee": "tres-dotee", "5_Sur_dotee": "sur-dotee",
    "N/A - résultat non disponible": "non-disponible",
}  # fmt: skip
SENTENCE = (
    "Saint-Denis est en zone intermédiaire pour les infirmiers ; cette aide demande une zone "
    "très sous-dotée ou sous-dotée"
)


def zone(zonage, code, libelle, communes, **kwargs):
    categorie = CategorieZoneFactory(zonage=zonage, code=code, libelle=libelle, **kwargs)
    return ZoneFactory(categorie=categorie, communes=communes)


@pytest.fixture
def nurses(db):
    """Nurses' act of Île-de-France: Saint-Denis intermédiaire, Provins très sous-dotée,
    Montreuil without result (CartoSanté's « N/A - résultat non disponible »)."""
    zonage = ZonageFactory(profession="infirmier", titre="Zonage infirmiers de test")
    zone(zonage, "intermediaire", "Zone intermédiaire", [SAINT_DENIS], ordre=4)
    zone(zonage, "tres-sous-dotee", "Zone très sous-dotée", [PROVINS], ordre=1)
    zone(zonage, "non-disponible", "Résultat non disponible", [MONTREUIL], a_verifier=True)
    return zonage


@pytest.fixture
def nurse_aid(nurses):
    return AideFactory(
        slug="contrat-infirmiers",
        nom="Contrat des infirmiers en zone sous-dotée",
        professions=["infirmier"],
        conditions=[("infirmier", "tres-sous-dotee, sous-dotee")],
    )


def judge(slug, **kwargs):
    kwargs.setdefault("date", TODAY)
    (found,) = [v for v in verdicts(Aide.objects.published(), **kwargs) if v.aide.slug == slug]
    return found


def texts(reasons):
    return [r.texte for r in reasons]


# --- The engine --------------------------------------------------------------------------


def test_a_nurse_aid_in_an_intermediate_zone_does_not_apply_and_says_why(nurse_aid):
    found = judge("contrat-infirmiers", commune=SAINT_DENIS, profession="infirmier")
    assert found.statut == Statut.NON_APPLICABLE
    assert texts(found.pourquoi_pas) == [f"{SENTENCE} (arrêté ARS Île-de-France du 31 mars 2022)"]


def test_the_same_aid_applies_in_a_very_under_served_zone_naming_its_act(nurse_aid):
    found = judge("contrat-infirmiers", commune=PROVINS, profession="infirmier")
    assert found.statut == Statut.ELIGIBLE
    assert texts(found.raisons) == [
        "Zone très sous-dotée — arrêté ARS Île-de-France du 31 mars 2022"
    ]


def test_a_category_without_result_is_to_check_never_refused(nurse_aid):
    found = judge("contrat-infirmiers", commune=MONTREUIL, profession="infirmier")
    assert found.statut == Statut.A_VERIFIER
    (incertitude,) = texts(found.incertitudes)
    assert incertitude.startswith("Montreuil : « Résultat non disponible » dans le zonage des")
    assert "qui ne permet pas de conclure" in incertitude


def test_a_profession_without_zoning_in_the_region_is_to_check(nurses):
    AideFactory(
        slug="contrat-sages-femmes", professions=["sage-femme"],
        conditions=[("sage-femme", "tres-sous-dotee, sous-dotee")],
    )  # fmt: skip
    found = judge("contrat-sages-femmes", commune=SAINT_DENIS, profession="sage-femme")
    assert found.statut == Statut.A_VERIFIER
    assert texts(found.incertitudes) == [
        "aucun zonage ARS des sages-femmes n'est intégré pour la région Île-de-France : "
        "l'éligibilité ne peut pas être vérifiée ici"
    ]


def test_a_regional_aid_elsewhere_does_not_apply_and_says_where_the_commune_is(db):
    AideFactory(slug="aide-grand-est", regions=["44"])
    found = judge("aide-grand-est", commune=PROVINS)
    assert found.statut == Statut.NON_APPLICABLE
    assert texts(found.pourquoi_pas) == [
        "aide de la Région Grand Est : Provins est en Île-de-France"
    ]


@pytest.fixture
def qpv_saint_denis(db):
    """A QPV drawn around an interior point of Saint-Denis, and an aid asking for a QPV."""
    lat, lon = interior_point(SAINT_DENIS)
    QpvZoneFactory(around=(lat, lon), libelle="Quartier test", communes=[SAINT_DENIS])
    AideFactory(slug="aide-qpv", conditions=[("", "qpv")])
    return lat, lon


def test_a_qpv_in_part_of_the_commune_is_to_check_and_a_point_decides(qpv_saint_denis):
    lat, lon = qpv_saint_denis
    at_commune = judge("aide-qpv", commune=SAINT_DENIS)
    assert at_commune.statut == Statut.A_VERIFIER
    assert texts(at_commune.incertitudes) == [
        "QPV Quartier test — décret du 1 janvier 2024, ANCT — dans une partie de la commune "
        "seulement : vérifiez l'adresse"
    ]
    inside = judge("aide-qpv", lat=lat, lon=lon)
    assert inside.statut == Statut.ELIGIBLE
    assert texts(inside.raisons) == ["QPV Quartier test — décret du 1 janvier 2024, ANCT"]
    outside = judge("aide-qpv", lat=lat + 0.01, lon=lon)
    assert outside.statut == Statut.NON_APPLICABLE
    assert texts(outside.pourquoi_pas) == [
        "le point choisi n'est dans aucun quartier prioritaire de la politique de la ville"
    ]


def test_a_rural_condition_elsewhere_says_the_commune_is_not_classified(db):
    rural = ZonageFactory(rural=True)
    zone(rural, "frr", "France Ruralités Revitalisation (FRR)", ["77001"])
    AideFactory(slug="aide-rurale", conditions=[("", "frr")])
    assert texts(judge("aide-rurale", commune=PROVINS).pourquoi_pas) == [
        "Provins n'est pas classée en zone rurale (FRR)"
    ]
    eligible = judge("aide-rurale", commune="77001")
    assert eligible.statut == Statut.ELIGIBLE
    assert texts(eligible.raisons) == ["commune rurale (FRR) — classement État du 1 janvier 2024"]


def test_a_rural_condition_without_any_rural_list_loaded_is_to_check(db):
    AideFactory(slug="aide-rurale", conditions=[("", "frr")])
    found = judge("aide-rurale", commune=PROVINS)
    assert found.statut == Statut.A_VERIFIER
    assert texts(found.incertitudes) == [
        "aucun zonage rural n'est intégré au 23 novembre 2026 : l'éligibilité ne peut pas être "
        "vérifiée ici"
    ]


@pytest.fixture
def doctors_export(db):
    """Île-de-France doctors known by a commune-level export (no arrêté date), a newer act
    published: Saint-Denis in ZAC, and a QPV there (the zone may differ at the address)."""
    zonage = ZonageFactory(
        profession="medecin-generaliste", date_acte=None, date_export=dt.date(2025, 9, 12),
        valide_du=dt.date(2025, 9, 12), revision_publiee="le 9 décembre 2025",
    )  # fmt: skip
    zone(zonage, "zac", "Zone d'action complémentaire (ZAC)", [SAINT_DENIS])
    zone(zonage, "zip", "Zone d'intervention prioritaire (ZIP)", [PROVINS])
    QpvZoneFactory(around=interior_point(SAINT_DENIS), communes=[SAINT_DENIS])
    for slug in ("aide-zip-1", "aide-zip-2"):
        AideFactory(slug=slug, professions=["medecin-generaliste"],
                    conditions=[("medecin-generaliste", "zip")])  # fmt: skip
    return zonage


def test_a_doctors_zone_that_may_differ_at_the_address_is_to_check(doctors_export):
    found = judge("aide-zip-1", commune=SAINT_DENIS, profession="medecin-generaliste")
    assert found.statut == Statut.A_VERIFIER
    assert texts(found.incertitudes) == [
        "Saint-Denis est en zone d'action complémentaire (ZAC) pour les médecins généralistes ; "
        "cette aide demande une zone ZIP (zonage ARS Île-de-France en vigueur à la date de "
        "l'export du 12 septembre 2025) ; le zonage peut différer à l'adresse (quartiers "
        "prioritaires, ZIP+)"
    ]
    at_provins = judge("aide-zip-1", commune=PROVINS, profession="medecin-generaliste")
    assert at_provins.statut == Statut.ELIGIBLE  # no QPV, no arrondissement: no address limit
    assert texts(at_provins.raisons) == [
        "ZIP — zonage ARS Île-de-France en vigueur à la date de l'export du 12 septembre 2025"
    ]
    assert at_provins.limites == [
        "Zonage des médecins généralistes (zonage ARS Île-de-France en vigueur à la date de "
        "l'export du 12 septembre 2025) : un zonage plus récent a été publié le 9 décembre 2025 ; "
        "il n'est pas encore intégré."
    ]


def test_a_condition_on_other_professions_categories_says_nothing_of_doctors(nurses):
    doctors = ZonageFactory(profession="medecin-generaliste")
    zone(doctors, "zac", "Zone d'action complémentaire (ZAC)", [SAINT_DENIS])
    AideFactory(
        slug="aide-regionale-installation", professions=["medecin-generaliste", "infirmier"],
        conditions=[("medecin-generaliste", "zip"), ("", "tres-sous-dotee, sous-dotee")],
    )  # fmt: skip
    found = judge(
        "aide-regionale-installation", commune=SAINT_DENIS, profession="medecin-generaliste"
    )
    assert texts(found.pourquoi_pas) == [
        "Saint-Denis est en zone d'action complémentaire (ZAC) pour les médecins généralistes ; "
        "cette aide demande une zone ZIP (arrêté ARS Île-de-France du 31 mars 2022)"
    ]


# --- The finder ----------------------------------------------------------------------------


@pytest.fixture
def finder_aids(nurse_aid):
    """One eligible aid (national, no condition), one to check (N/A elsewhere: here a
    profession without zoning), two that do not apply at Saint-Denis for nurses."""
    AideFactory(slug="aide-nationale", nom="Aide nationale sans condition")
    AideFactory(slug="aide-grand-est", nom="Aide du Grand Est", regions=["44"])
    AideFactory(
        slug="aide-zip-ou-tsd", nom="Aide aux zones prioritaires", professions=[],
        conditions=[("medecin-generaliste", "zip"), ("infirmier", "tres-sous-dotee"),
                    ("sage-femme", "tres-sous-dotee")],
    )  # fmt: skip
    AideFactory(slug="aide-qpv", nom="Aide des quartiers", conditions=[("", "qpv")])
    QpvZoneFactory(around=interior_point(SAINT_DENIS), communes=[SAINT_DENIS])


def test_finder_lists_eligible_then_to_check_then_the_others_collapsed(client, finder_aids):
    html = client.get(FINDER, {"commune": SAINT_DENIS, "profession": "infirmier"}).content.decode()
    assert "Réponse au " in html
    eligible = html.index("Aides éligibles (1)")
    to_check = html.index("Aides à vérifier (1)")
    others = html.index("Aides qui ne s'appliquent pas ici (3)")
    assert eligible < html.index("Aide nationale sans condition") < to_check
    assert to_check < html.index("Aide des quartiers") < others
    assert 'class="fr-badge fr-badge--success fr-badge--sm">Éligible' in html
    assert 'class="fr-badge fr-badge--warning fr-badge--sm">À vérifier' in html
    collapsed = html[others:]
    assert 'aria-expanded="false"' in html[others - 200 : others]
    assert "Contrat des infirmiers en zone sous-dotée" in collapsed
    assert SENTENCE.replace("'", "&#x27;") in collapsed
    assert "aide de la Région Grand Est : Saint-Denis est en Île-de-France" in collapsed
    assert "Aide aux zones prioritaires" in collapsed
    # Each aid opened from the answer is judged at the same place.
    assert "/aides/aide-qpv/?commune=93066&amp;profession=infirmier" in html


def test_finder_shows_a_newer_act_once_whatever_the_number_of_aids(client, doctors_export):
    html = client.get(
        FINDER, {"commune": PROVINS, "profession": "medecin-generaliste"}
    ).content.decode()
    # The collapsed box of the place's zones cites the act with its notice too.
    start = html.index('id="zones-ici"')
    html = html[:start] + html[html.index("</details>", start) :]
    assert html.count("un zonage plus récent a été publié le 9 décembre 2025") == 1
    assert "il n&#x27;est pas encore intégré" in html


@pytest.fixture
def rural_acts(db):
    """ZRR until 30 June 2024, then FRR: Provins in both lists, an aid for either."""
    zrr = ZonageFactory(
        rural=True, titre="ZRR de test", date_acte=dt.date(2017, 3, 16),
        valide_au=dt.date(2024, 6, 30),
    )  # fmt: skip
    zone(zrr, "zrr", "Zone de revitalisation rurale (ZRR)", [PROVINS])
    frr = ZonageFactory(rural=True, titre="FRR de test", date_acte=dt.date(2024, 7, 1))
    zone(frr, "frr", "France Ruralités Revitalisation (FRR)", [PROVINS])
    AideFactory(slug="aide-rurale", nom="Aide des communes rurales",
                conditions=[("", "frr, zrr")])  # fmt: skip


def test_the_date_switches_from_zrr_to_frr(client, rural_acts):
    before = client.get(FINDER, {"commune": PROVINS, "date": "2024-06-15"}).content.decode()
    assert "commune rurale (ZRR) — classement État du 16 mars 2017" in before
    assert "Réponse au 15 juin 2024" in before
    after = client.get(FINDER, {"commune": PROVINS, "date": "2024-07-15"}).content.decode()
    assert "commune rurale (FRR) — classement État du 1 juillet 2024" in after
    assert "(ZRR)" not in after


def test_the_answer_lists_the_zones_of_its_date_even_when_no_aid_cites_them(client, rural_acts):
    """The zones the answer rests on are shown for its date: a user asking about June 2024
    sees the ZRR, whether or not an aid of the list depends on it."""

    def zones_box(date):
        html = client.get(FINDER, {"commune": PROVINS, "date": date}).content.decode()
        box = html[html.index('id="zones-ici"') :]
        return box[: box.index("</details>")]

    before = zones_box("2024-06-15")
    assert "Zones à Provins au 15 juin 2024" in before
    assert "Zone de revitalisation rurale (ZRR)" in before and "(FRR)" not in before
    after = zones_box("2024-07-15")
    assert "France Ruralités Revitalisation (FRR)" in after and "(ZRR)" not in after


def test_a_bad_date_is_a_french_form_error_and_a_400(client, rural_acts):
    html = client.get(FINDER, {"commune": PROVINS, "date": "2026-02-31"}).content.decode()
    assert "À la date du : Saisissez une date réelle au format AAAA-MM-JJ" in html
    response = client.get(API, {"commune": PROVINS, "date": "2026-02-31"})
    assert response.status_code == 400
    assert response.json()["details"]["date"] == [
        "Saisissez une date réelle au format AAAA-MM-JJ, par exemple 2026-12-02."
    ]


def test_a_point_outside_every_loaded_outline_is_explained(client, db):
    AideFactory(slug="aide-nationale", nom="Aide nationale sans condition")
    AideFactory(slug="aide-idf", nom="Aide francilienne", regions=["11"])
    html = client.get(FINDER, {"lat": "43.3", "lon": "5.4"}).content.decode()  # Marseille
    assert "Le point choisi n&#x27;a pas pu être placé" in html
    assert "Choisissez plutôt la commune" in html
    assert "Aides éligibles (1)" in html and "Aides à vérifier (1)" in html
    assert "indiquez la commune pour vérifier les conditions de lieu de cette aide" in html


def test_finder_query_count_does_not_grow_with_aids_that_do_not_apply(client, nurses):
    params = {"commune": SAINT_DENIS, "profession": "infirmier"}

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(FINDER, params)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    _bulk_nurse_aids(10)
    client.get(FINDER, params)  # warm the zone index and the locator
    bump()  # both counts are of an answer computed afresh, not read from the cache
    few, _ = count_queries()
    _bulk_nurse_aids(300, start=10)
    many, html = count_queries()
    assert many == few
    assert "Aides qui ne s'appliquent pas ici (155)" in html


def _bulk_nurse_aids(n, start=0):
    """Half in very under-served zones only (not Saint-Denis), half without condition."""
    aides = Aide.objects.bulk_create(
        [
            Aide(
                slug=f"aide-masse-{i}", nom=f"Aide en masse {i}", resume="R", forme="subvention",
                nature_montant="forfait", montant_max=i, statut="publiee",
                professions=["infirmier"], publics=["professionnel"], etapes=["installation"],
            )
            for i in range(start, start + n)
        ]
    )  # fmt: skip
    ConditionZonage.objects.bulk_create(
        [ConditionZonage(aide=a, profession="infirmier", categories="tres-sous-dotee")
         for a in aides[::2]]
    )  # fmt: skip
    bump()  # bulk writes bump the data version themselves, as the importers do


# --- The aid page and the API --------------------------------------------------------------


def test_aid_page_answers_for_the_place_of_its_query_string(client, nurse_aid):
    url = nurse_aid.get_absolute_url()
    here = client.get(url, {"commune": SAINT_DENIS, "profession": "infirmier"}).content.decode()
    assert 'id="titre-verdict"' in here and "À Saint-Denis" in here
    assert "Ne s'applique pas ici" in here
    assert SENTENCE.replace("'", "&#x27;") in here
    there = client.get(url, {"commune": PROVINS}).content.decode()
    assert "À Provins" in there and ">Éligible<" in there
    assert "Zone très sous-dotée (infirmier ou infirmière) — arrêté ARS Île-de-France" in there
    without = client.get(url).content.decode()
    assert 'id="titre-verdict"' not in without


def test_api_gives_each_status_and_on_request_the_aids_that_do_not_apply(client, finder_aids):
    params = {"commune": SAINT_DENIS, "profession": "infirmier"}
    body = client.get(API, params).json()
    assert {r["slug"]: r["statut"] for r in body["results"]} == {
        "aide-nationale": "eligible",
        "aide-qpv": "a_verifier",
    }
    (qpv,) = [r for r in body["results"] if r["slug"] == "aide-qpv"]
    assert qpv["a_verifier_parce_que"][0].startswith(
        "QPV Quartier test — décret du 1 janvier 2024, ANCT"
    )
    assert "non_applicables" not in body
    body = client.get(API, {**params, "non_applicables": "1"}).json()
    by_slug = {r["slug"]: r["pourquoi_pas"] for r in body["non_applicables"]}
    assert set(by_slug) == {"contrat-infirmiers", "aide-grand-est", "aide-zip-ou-tsd"}
    assert by_slug["contrat-infirmiers"] == [
        f"{SENTENCE} (arrêté ARS Île-de-France du 31 mars 2022)"
    ]
    response = client.get(API, {**params, "non_applicables": "oui"})
    assert response.status_code == 400
    assert "non_applicables" in response.json()["details"]


# --- On the real CartoSanté export (régions 11 and 44) and the real catalogue ---------------


@pytest.fixture(scope="class")
def real_nurses(django_db_setup, django_db_blocker):
    content = (zonages_dir() / "cartosante" / "infirmiers.csv").read_bytes()
    labels = content.decode("utf-8-sig").splitlines()

    def load():
        result = import_cartosante(content, "infirmiers.csv", regions=["11", "44"])
        assert not result.errors
        call_command("load_aides", stdout=io.StringIO())

    with loaded(django_db_blocker, load):
        yield {line.split(";")[0]: line.split(";")[2] for line in labels if ";" in line}


class TestRealNurseZoning:
    def test_saint_denis_nurses_get_the_file_category_and_the_matching_status(self, real_nurses):
        label = real_nurses[SAINT_DENIS]  # "3_intermediaire" in the export of March 2026
        (match,) = [
            m for m in zones_at(commune=SAINT_DENIS, date=TODAY) if m.profession == "infirmier"
        ]
        assert match.categorie == CATEGORY_OF_LABEL[label]
        assert (
            "CartoSanté" in match.zonage_reference and "date de l'export" in match.zonage_reference
        )

        found = judge("capii-premiere-installation-infirmiers", commune=SAINT_DENIS,
                      profession="infirmier", etape="installation")  # fmt: skip
        if match.categorie == "tres-sous-dotee":
            assert found.statut == Statut.ELIGIBLE
            assert texts(found.raisons)[0].startswith(
                f"Zone très sous-dotée — {match.zonage_reference}"
            )
        else:
            assert found.statut == Statut.NON_APPLICABLE
            category = match.categorie_libelle[0].lower() + match.categorie_libelle[1:]
            assert texts(found.pourquoi_pas) == [
                f"Saint-Denis est en {category} pour les infirmiers ; cette aide demande une zone "
                f"très sous-dotée ({match.zonage_reference})"
            ]
