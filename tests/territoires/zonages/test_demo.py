"""Demonstration zonings: flagged, deterministic, plausible, idempotent, superseded and
retired by real acts."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from territoires.models import Commune, Zonage, Zone, ZoneCommune
from territoires.zonages.importers.demo import RETIRED, load_demo
from territoires.zonages.lookup import zones_for_communes
from territoires.zonages.signals import zonages_changed
from tests.factories import ActeFactory, ZonageFactory

from .conftest import counts

pytestmark = pytest.mark.django_db


def population_shares(region, profession, date):
    territories = list(
        Commune.objects.filter(region__code=region).exclude(arrondissements__isnull=False)
    )
    zones = zones_for_communes(territories, date=date, kind="ars", profession=profession)
    total = sum(t.population for t in territories)
    shares = {}
    for territory in territories:
        for m in zones[territory.code]:
            if not m.partiel:
                shares[m.categorie] = shares.get(m.categorie, 0) + territory.population / total
    return shares


def test_doctors_demo_for_ile_de_france_looks_like_the_2022_arrete():
    load_demo(["11"], ["medecin-generaliste"])
    acts = Zonage.objects.filter(kind="ars").order_by("valide_du")
    assert [a.valide_du.year for a in acts] == [2018, 2022]
    assert all(a.demonstration and a.url == "" for a in acts)
    assert all(a.titre.startswith("Zonage de démonstration") for a in acts)
    shares = population_shares("11", "medecin-generaliste", dt.date(2024, 1, 1))
    in_zip = shares["zip-plus"] + shares["zip"]
    assert 0.60 <= in_zip <= 0.64
    assert 0.94 <= in_zip + shares["zac"] <= 0.98
    # The 2018 act (ZIP/ZAC only) is kept and still answers for past dates.
    before = population_shares("11", "medecin-generaliste", dt.date(2020, 1, 1))
    assert set(before) == {"zip", "zac", "hors-zonage"}


def test_five_levels_for_a_paramedical_profession_in_grand_est():
    load_demo(["44"], ["infirmier"])
    shares = population_shares("44", "infirmier", dt.date(2024, 1, 1))
    assert list(shares) and set(shares) == {
        "tres-sous-dotee", "sous-dotee", "intermediaire", "tres-dotee", "sur-dotee",
    }  # fmt: skip
    assert abs(sum(shares.values()) - 1) < 1e-9


def test_rural_demo_lists_sparse_communautes_de_communes_as_frr_does():
    load_demo(["11", "44"], ["infirmier"])
    rural = Zonage.objects.get(kind="rural")
    assert rural.demonstration and rural.region is None
    communes = Commune.objects.filter(zones__zonage=rural).select_related("epci")
    assert communes.count() > 1000
    # Whole communautés de communes, small towns included: Provins is in, as in the real list.
    assert {c.epci.type for c in communes} == {"CC"}
    assert communes.filter(code="77379").exists()
    assert not communes.filter(code__in=["75056", "67482", "93066"]).exists()


def test_loading_twice_changes_nothing_and_gives_the_same_zoning():
    options = {"region": ["11"], "profession": ["medecin-generaliste"], "stdout": io.StringIO()}
    call_command("load_demo_zonages", **options)  # also imports the real QPV when present
    before = counts()
    snapshot = set(
        Zonage.objects.values_list("zones__perimetre__commune__code", "zones__categorie__code")
    )
    out = io.StringIO()
    call_command("load_demo_zonages", **{**options, "stdout": out})
    assert "0 créé(s) ou mis à jour" in out.getvalue()
    assert counts() == before
    assert snapshot == set(
        Zonage.objects.values_list("zones__perimetre__commune__code", "zones__categorie__code")
    )


def test_a_real_act_replaces_the_demo_without_code_change():
    load_demo(["11"], ["medecin-generaliste"])
    ActeFactory(
        zones={"zac": ["93066"]}, date_acte=dt.date(2025, 12, 9), titre="Arrêté officiel 2025"
    )
    (match,) = zones_for_communes(["93066"], kind="ars")["93066"]
    assert (match.zonage_titre, match.demonstration) == ("Arrêté officiel 2025", False)
    # The demonstration act is kept for the dates before the real one.
    past = zones_for_communes(["93066"], date=dt.date(2024, 1, 1), kind="ars")["93066"]
    assert all(m.demonstration for m in past) and past


def test_a_real_act_retires_the_demo_of_its_group_and_no_other(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(["11"], ["infirmier"])  # as if committed by an earlier run
    demo = Zonage.objects.get(kind="ars", profession="infirmier", demonstration=True)
    territories = demo.zones.values_list("perimetre", flat=True).count()
    assert zones_for_communes(["93066"], kind="ars", profession="infirmier")["93066"]
    ActeFactory(profession="infirmier", zones={"intermediaire": ["93066"]},
                date_acte=dt.date(2025, 9, 12), titre="Zonage des infirmiers (réel)")  # fmt: skip

    out = io.StringIO()
    received = []
    zonages_changed.connect(lambda **kw: received.append(kw["zonage_ids"]), weak=False,
                            dispatch_uid="test-retired")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_zonages", region=["11"], profession=["infirmier"], stdout=out)
    zonages_changed.disconnect(dispatch_uid="test-retired")
    assert "Retiré (un zonage réel le remplace) : « Zonage de démonstration — infirmier" in (
        out.getvalue()
    )
    # One signal: the zone index and the structures' derived flags follow.
    assert len(received) == 1 and demo.pk in received[0]
    assert not Zonage.objects.filter(pk=demo.pk).exists()
    # History keeps every deleted row, with the reason.
    deleted = ZoneCommune.history.filter(history_type="-", zone_id__in=demo_zone_ids(demo.pk))
    assert deleted.count() == territories
    assert set(deleted.values_list("history_change_reason", flat=True)) == {RETIRED}
    assert Zonage.history.filter(id=demo.pk, history_type="-").exists()
    # Before the real act, no invented answer is left; the rural demo (no real list) stays.
    past = zones_for_communes(["93066"], date=dt.date(2024, 1, 1), kind="ars")["93066"]
    assert past == []
    assert Zonage.objects.filter(kind="rural", demonstration=True).exists()

    # A second run makes no demonstration act for the covered group.
    out = io.StringIO()
    call_command("load_demo_zonages", region=["11"], profession=["infirmier"], stdout=out)
    assert not Zonage.objects.filter(profession="infirmier", demonstration=True).exists()
    assert "0 retiré(s) ; 1 zonage(s) réel(s) à leur place" in out.getvalue()


def test_a_real_rural_list_retires_the_invented_one():
    load_demo(["44"], ["infirmier"])
    ZonageFactory(rural=True, titre="Classement FRR", date_acte=dt.date(2025, 7, 10))
    load_demo(["44"], ["infirmier"])
    assert not Zonage.objects.filter(kind="rural", demonstration=True).exists()
    # Grand Est nurses have no real act here: their demonstration act stays.
    assert Zonage.objects.filter(profession="infirmier", demonstration=True).exists()


def demo_zone_ids(zonage_id):
    return Zone.history.filter(zonage_id=zonage_id).values_list("id", flat=True)
