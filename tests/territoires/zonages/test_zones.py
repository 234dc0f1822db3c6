"""territoires.zonages.lookup: which zones apply at a commune, on a date, per profession."""

import datetime as dt

import pytest

from territoires.models import Commune
from territoires.zonages.lookup import notify_zonages_changed, zones_at, zones_for_communes
from tests.factories import ActeFactory

pytestmark = pytest.mark.django_db

D2018, D2022 = dt.date(2018, 7, 2), dt.date(2022, 3, 31)


@pytest.fixture
def doctors_2018_and_2022():
    old = ActeFactory(
        zones={"zip": ["93066"], "zac": ["77379"]}, date_acte=D2018, titre="Arrêté 2018"
    )
    new = ActeFactory(
        zones={"zip-plus": ["93066"], "zip": ["77379"]}, date_acte=D2022, titre="Arrêté 2022"
    )
    return old, new


def categories(matches):
    return [(m.categorie, m.zonage_titre) for m in matches]


def test_newer_act_supersedes_the_older_from_its_start_date(doctors_2018_and_2022):
    assert categories(zones_at("93066", date=dt.date(2017, 1, 1))) == []
    assert categories(zones_at("93066", date=dt.date(2020, 1, 1))) == [("zip", "Arrêté 2018")]
    assert categories(zones_at("93066", date=D2022 - dt.timedelta(days=1))) == [
        ("zip", "Arrêté 2018")
    ]
    assert categories(zones_at("93066", date=D2022)) == [("zip-plus", "Arrêté 2022")]
    assert categories(zones_at("77379", date=dt.date(2030, 1, 1))) == [("zip", "Arrêté 2022")]


def test_supersession_is_per_profession_and_region(doctors_2018_and_2022):
    ActeFactory(
        zones={"tres-sous-dotee": ["93066"]}, profession="infirmier", date_acte=dt.date(2019, 1, 1)
    )
    ActeFactory(zones={"zip": ["67482"]}, region_code="44", date_acte=dt.date(2019, 1, 1))
    found = zones_at("93066", date=dt.date(2024, 1, 1))
    assert [(m.profession, m.categorie) for m in found] == [
        ("medecin-generaliste", "zip-plus"),
        ("infirmier", "tres-sous-dotee"),
    ]
    assert categories(zones_at("67482", date=dt.date(2024, 1, 1))) == [
        ("zip", "Acte ars medecin-generaliste du 2019-01-01")
    ]


def test_an_ended_act_does_not_bring_the_older_one_back():
    ActeFactory(zones={"zip": ["93066"]}, date_acte=D2018, titre="Arrêté 2018")
    ActeFactory(
        zones={"zac": ["93066"]},
        date_acte=D2022,
        valide_au=dt.date(2023, 12, 31),
        titre="Arrêté 2022",
    )
    assert categories(zones_at("93066", date=dt.date(2023, 6, 1))) == [("zac", "Arrêté 2022")]
    assert zones_at("93066", date=dt.date(2024, 6, 1)) == []


def test_an_official_act_wins_over_a_demonstration_act_of_the_same_day():
    ActeFactory(zones={"zip": ["93066"]}, demonstration=True, titre="Démonstration")
    ActeFactory(zones={"zac": ["93066"]}, titre="Officiel")
    found = zones_at("93066", date=D2022)
    assert categories(found) == [("zac", "Officiel")]
    assert found[0].demonstration is False


def test_whole_commune_zones_apply_to_arrondissements_and_arrondissement_zones_to_the_city():
    ActeFactory(zones={"zac": ["75056"], "zip": ["75118", ("75116", "751166199")]})
    at_18th = zones_at("75118", date=D2022)
    assert {(m.categorie, m.partiel) for m in at_18th} == {("zac", False), ("zip", False)}
    at_16th = zones_at(Commune.objects.get(code="75116"), date=D2022)
    assert {(m.categorie, m.partiel) for m in at_16th} == {("zac", False), ("zip", True)}
    paris = zones_at("75056", date=D2022)
    assert {(m.categorie, m.partiel) for m in paris} == {("zac", False), ("zip", True)}


def test_a_match_carries_its_act_and_eligibility(doctors_2018_and_2022):
    (match,) = zones_at("77379", date=D2022)
    assert match.kind == "ars"
    assert match.profession == "medecin-generaliste"
    assert match.profession_libelle == "Médecin généraliste"
    assert match.eligibilites == ["aides-conventionnelles"]
    assert match.zonage_titre == "Arrêté 2022"
    assert match.zonage_editeur == "ARS Île-de-France"
    assert match.zonage_date == D2022
    assert match.zonage_url == "https://example.test/acte"
    assert (match.code, match.partiel, match.demonstration) == ("", False, False)


def test_bulk_lookup_agrees_with_single_lookups_in_a_constant_number_of_queries(
    doctors_2018_and_2022, django_assert_num_queries
):
    ActeFactory(
        zones={"zac": ["75056"], "zip": ["75118"]}, profession="sage-femme", date_acte=D2018
    )
    codes = ["93066", "77379", "75118", "75056", "91001", "99999"]
    for date in (dt.date(2020, 1, 1), D2022):
        with django_assert_num_queries(3):
            bulk = zones_for_communes(codes, date=date)
        assert set(bulk) == set(codes)
        for code in codes:
            assert bulk[code] == zones_at(code, date=date), code
    seine_et_marne = list(Commune.objects.filter(departement__code="77"))
    with django_assert_num_queries(3):
        assert len(zones_for_communes(seine_et_marne, date=D2022)) == len(seine_et_marne)
    midwives = zones_for_communes(codes, date=D2022, profession="sage-femme")
    assert categories(midwives["75118"]) == [
        ("zac", "Acte ars sage-femme du 2018-07-02"),
        ("zip", "Acte ars sage-femme du 2018-07-02"),
    ]
    assert midwives["93066"] == []


def test_the_index_follows_changes_without_queries_once_warm(django_assert_num_queries):
    act = ActeFactory(zones={"zip": ["93066"]})
    assert categories(zones_at("93066", date=D2022))[0][0] == "zip"
    with django_assert_num_queries(0):
        zones_at("93066", date=D2022)
        zones_at("77379", date=D2022)
    zone = act.zones.get()
    zone.perimetre.create(commune=Commune.objects.get(code="77379"))
    assert categories(zones_at("77379", date=D2022))[0][0] == "zip"


def test_zonages_changed_is_sent_after_commit_with_the_act(django_capture_on_commit_callbacks):
    from territoires.zonages.signals import zonages_changed

    received = []

    def listener(sender, zonage_ids, **kwargs):
        received.append(zonage_ids)

    zonages_changed.connect(listener)
    try:
        act = ActeFactory(zones={"zip": ["93066"]})
        other = ActeFactory(zones={"zac": ["77379"]}, profession="infirmier")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            notify_zonages_changed([other.pk, act.pk])
            notify_zonages_changed([act.pk])
        assert len(callbacks) == 1  # one signal for the whole transaction
        assert received == [sorted([act.pk, other.pk])]
        with django_capture_on_commit_callbacks(execute=True):
            notify_zonages_changed([act.pk])
            notify_zonages_changed()  # "anything may have changed" wins
        assert received[1] is None
    finally:
        zonages_changed.disconnect(listener)
