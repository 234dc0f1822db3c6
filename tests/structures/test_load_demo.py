"""`load_demo` reproduces the Région Île-de-France's published bilan, from derived flags.

Here on the demonstration zonings (no real files imported); the same plan on the real
zonings is checked by tests/portal/test_setup_demo.py.
"""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Sum

from structures.models import ProfessionnelSoutenu, Structure
from territoires import locator
from territoires.models import Contour, Zonage, ZonageKind

pytestmark = pytest.mark.django_db

BILAN_STRUCTURES = {
    "cabinet-groupe": 92,
    "msp": 96,
    "centre-sante": 78,
    "maison-medicale-garde": 5,
    "reseau-sante": 7,
    "securisation-cabinet": 3,
}
BILAN_PROFESSIONNELS = {"infirmier": 5, "masseur-kinesitherapeute": 20,
                        "medecin-generaliste": 82, "sage-femme": 22}  # fmt: skip
BILAN_DEPARTEMENTS = {"75": 41, "77": 61, "78": 36, "91": 59, "92": 46, "93": 76, "94": 45,
                      "95": 44, None: 2}  # fmt: skip
# The bilan counts 99 records in a rural zone by the Région's own definition. Rural is FRR
# here, and FRR classifies only 58 communes of Île-de-France, all in Seine-et-Marne: every
# one of the 61 records of 77 is in an FRR commune, none elsewhere.
RURAL = 61


def run(command, **kwargs):
    out = io.StringIO()
    call_command(command, stdout=out, **kwargs)
    return out.getvalue()


def snapshot():
    rows = []
    for model in (Structure, ProfessionnelSoutenu):
        rows += list(model.objects.order_by("reference").values())
        rows.append(model.history.count())
    return rows


def test_demo_reproduces_the_bilan_and_a_second_run_changes_nothing():
    run("load_demo_zonages")
    run("load_aides")
    run("load_demo")

    structures = Structure.objects.in_regions(["11"])
    pros = ProfessionnelSoutenu.objects.in_regions(["11"])
    assert Counter(structures.values_list("type", flat=True)) == BILAN_STRUCTURES
    assert Counter(pros.values_list("profession", flat=True)) == BILAN_PROFESSIONNELS
    per_dep = Counter(structures.values_list("departement__code", flat=True))
    per_dep.update(pros.values_list("departement__code", flat=True))
    assert per_dep == BILAN_DEPARTEMENTS
    assert structures.en_qpv().count() + pros.en_qpv().count() == 252
    assert structures.en_zone_rurale().count() + pros.en_zone_rurale().count() == RURAL
    rural_deps = {
        r.departement.code for r in [*structures.en_zone_rurale(), *pros.en_zone_rurale()]
    }
    assert rural_deps == {"77"}
    # Derived, not typed: every QPV record has a point inside a QPV of its département.
    for record in [*structures.en_qpv(), *pros.en_qpv()]:
        assert record.a_un_point and record.qpv_code[3:5] == record.departement.code[:2]
    assert not structures.filter(point_hors_commune=True).exists()
    assert all(s.demonstration for s in structures) and structures.published().count() == 281
    communes = set(structures.filter(nom__startswith="Expérimentation").values_list(
        "commune__code", flat=True))  # fmt: skip
    assert communes == {"77379", "94038"}  # Provins, L'Haÿ-les-Roses

    interns = ProfessionnelSoutenu.objects.filter(situation="interne", region__code="44")
    assert interns.count() == 46
    assert interns.aggregate(total=Sum("montant"))["total"] == 61_400
    assert {str(d) for d in interns.values_list("date_decision", flat=True)} == {"2018-02-23"}
    assert Structure.objects.filter(commune__code="54353", nom__icontains="multiservices").exists()

    before = snapshot()
    output = run("load_demo")
    assert "0 créé(s), 0 mis à jour, 0 supprimé(s)" in output
    assert snapshot() == before


@pytest.fixture
def without_geo_data():
    """As if the geo data folder were absent: no commune outlines, no QPV polygons."""
    Contour.objects.filter(niveau=Contour.Niveau.COMMUNE).delete()
    Zonage.objects.filter(kind=ZonageKind.QPV).delete()
    locator.invalidate()
    yield
    locator.invalidate()  # the rollback brings the outlines back: rebuild from them


def test_without_geo_data_the_counts_hold_and_the_gap_is_stated(without_geo_data):
    from territoires.zonages.importers.demo import load_demo as load_demo_zonages

    load_demo_zonages()
    output = run("load_demo")
    assert "0 enregistrement en QPV au lieu de 252" in output
    structures = Structure.objects.in_regions(["11"])
    assert structures.count() == 281
    assert ProfessionnelSoutenu.objects.in_regions(["11"]).count() == 129
    assert not structures.with_point().exists() and not structures.en_qpv().exists()
    rural = structures.en_zone_rurale().count()
    rural += ProfessionnelSoutenu.objects.in_regions(["11"]).en_zone_rurale().count()
    assert rural == RURAL  # the rural zoning is a commune list: still derived
