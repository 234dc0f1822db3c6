"""Demonstration zonings: flagged, deterministic, plausible, idempotent, superseded by real acts."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from territoires.models import Commune, Zonage
from territoires.zonages.importers.demo import load_demo
from territoires.zonages.lookup import zones_for_communes
from tests.factories import ActeFactory

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


def test_rural_demo_lists_small_communes_only():
    load_demo(["44"], ["infirmier"])
    rural = Zonage.objects.get(kind="rural")
    assert rural.demonstration and rural.region is None
    populations = list(rural.zones.values_list("perimetre__commune__population", flat=True))
    assert len(populations) > 100 and max(populations) < 1000


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
