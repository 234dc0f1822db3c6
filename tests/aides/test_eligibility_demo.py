"""Which aids apply here, and why — on the demonstration zoning and the real catalogue.

Expected zone categories are read from the zoning itself (`zones_at`), so these tests pin
what the finder does with the zoning, whatever categories the demonstration assigns.
"""

import datetime as dt

import pytest
from shapely.geometry import shape

from aides.eligibility import evaluate
from aides.models import Aide
from territoires.models import ZonageKind, Zone, ZoneCommune
from territoires.zonages.lookup import zones_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_world")]
TODAY = dt.date(2026, 11, 23)


def eligible(**kwargs):
    kwargs.setdefault("date", TODAY)
    results = evaluate(Aide.objects.published().open_on(kwargs["date"]), **kwargs)
    return {r.aide.slug: [raison.texte for raison in r.raisons] for r in results}


def doctors_category(code):
    matches = [
        m for m in zones_at(commune=code, date=TODAY) if m.profession == "medecin-generaliste"
    ]
    return {m.categorie for m in matches}, matches


def test_saint_denis_doctor_installing_gets_the_2026_aid_with_the_zip_act_as_reason():
    categories, matches = doctors_category("93066")
    assert categories & {"zip", "zip-plus"}, "la démonstration classe Saint-Denis en ZIP"
    found = eligible(commune="93066", profession="medecin-generaliste", etape="installation")

    reasons = found["aide-primo-installation-medecins-zip-zac"]
    act = next(m for m in matches if m.categorie in {"zip", "zip-plus"})
    assert reasons == [f"{'ZIP+' if act.categorie == 'zip-plus' else 'ZIP'} — arrêté "
                       f"{act.zonage_editeur} du 31 mars 2022"]  # fmt: skip
    assert found["idf-bonus-installation-acte-2"] == ["toute la Seine-Saint-Denis"]
    assert found["paps-permanences-aide-installation"] == ["toute la région Île-de-France"]
    # Closed on 31 December 2025, a study grant, another profession's contract: not here.
    assert "caim-contrat-aide-installation-medecins" not in found
    assert "cesp-contrat-engagement-service-public" not in found
    assert "capii-premiere-installation-infirmiers" not in found
    # Grand Est and Paris schemes do not apply in Seine-Saint-Denis.
    assert "grand-est-internes-zones-fragilisees" not in found
    assert "paris-med-installation" not in found


def test_closed_contracts_are_found_on_a_date_when_they_were_open():
    before = eligible(commune="93066", profession="medecin-generaliste", date=dt.date(2025, 6, 1))
    assert "caim-contrat-aide-installation-medecins" in before
    assert "aide-primo-installation-medecins-zip-zac" not in before  # opened 1 January 2026


def test_point_inside_a_qpv_gives_the_qpv_by_name_and_a_point_outside_does_not():
    qpv = Zone.objects.filter(zonage__kind=ZonageKind.QPV, code__startswith="QN093").first()
    inside = shape(qpv.geometrie).representative_point()
    found = eligible(lat=inside.y, lon=inside.x, profession="medecin-generaliste")
    # Each zone reason names its act: "QPV … — décret du …, ANCT".
    named = f"QPV {qpv.libelle} — "
    assert any(
        r.startswith((named, "ZIP")) for r in found["majoration-forfait-medecin-traitant-zip-qpv"]
    )
    assert any(r.startswith(named) for r in found["idf-bonus-installation-acte-2"])

    # A point of Provins outside its QPV: the Acte 2 bonus needs a QPV, rurality or the 93.
    provins_qpv = Zone.objects.filter(zonage__kind=ZonageKind.QPV, perimetre__commune__code="77379")
    assert provins_qpv.exists()
    outside = eligible(lat=48.5640, lon=3.2580, profession="infirmier")  # Provins, ville haute
    assert not any(r.startswith("QPV") for reasons in outside.values() for r in reasons), (
        "aucune raison QPV hors des quartiers"
    )


def test_rural_commune_opens_the_regional_bonus_with_the_frr_reason():
    rural = (
        ZoneCommune.objects.filter(zone__zonage__kind=ZonageKind.RURAL, commune__region__code="11")
        .select_related("commune")
        .first()
    )
    assert rural is not None, "la démonstration contient des communes FRR en Île-de-France"
    found = eligible(commune=rural.commune.code, profession="infirmier", etape="installation")
    assert found["idf-bonus-installation-acte-2"][0].startswith("commune rurale (FRR)")


def test_nurse_contracts_follow_the_nurse_zoning():
    tsd = (
        ZoneCommune.objects.filter(
            zone__zonage__profession="infirmier",
            zone__categorie__code="tres-sous-dotee",
            commune__region__code="11",
        )
        .select_related("commune")
        .first()
    )
    intermediate = (
        ZoneCommune.objects.filter(
            zone__zonage__profession="infirmier",
            zone__categorie__code="intermediaire",
            commune__region__code="11",
        )
        .select_related("commune")
        .first()
    )
    in_tsd = eligible(commune=tsd.commune.code, profession="infirmier", etape="installation")
    assert set(in_tsd) >= {"capii-premiere-installation-infirmiers", "caii-installation-infirmiers"}
    assert in_tsd["capii-premiere-installation-infirmiers"][0].startswith("Zone très sous-dotée")
    assert "cami-maintien-infirmiers" not in in_tsd  # stage "maintien" only

    elsewhere = eligible(
        commune=intermediate.commune.code, profession="infirmier", etape="installation"
    )
    assert "capii-premiere-installation-infirmiers" not in elsewhere
    assert "idf-pret-sante-initiative" in elsewhere  # regional, no zoning condition


def test_paris_arrondissement_gets_paris_med_and_students_get_the_cesp_where_zoned():
    found = eligible(commune="75111", profession="medecin-generaliste", etape="installation")
    assert found["paris-med-installation"] == ["toute la commune de Paris"]

    categories, _ = doctors_category("75111")
    students = eligible(commune="75111", profession="medecin-generaliste", etape="etudes")
    assert ("cesp-contrat-engagement-service-public" in students) == bool(
        categories & {"zip", "zip-plus", "zac"}
    )
    assert "paris-med-installation" not in students


def test_grand_est_intern_in_a_zoned_commune_gets_the_regional_grant():
    zoned = (
        ZoneCommune.objects.filter(
            zone__zonage__profession="medecin-generaliste",
            zone__categorie__code__in=["zip", "zac"],
            commune__region__code="44",
            zone__zonage__valide_au__isnull=True,
        )
        .select_related("commune")
        .first()
    )
    found = eligible(commune=zoned.commune.code, profession="medecin-generaliste", etape="etudes")
    assert "grand-est-internes-zones-fragilisees" in found
    assert "idf-bourse-etudiants-kinesitherapie-maieutique" not in found
    assert found["grand-est-internes-zones-fragilisees"][0].split(" — ")[0] in {"ZIP", "ZAC"}
