"""QPV / rural flags and zones are derived from the place, and follow zoning changes."""

import datetime as dt

import pytest

from structures.models import Structure
from territoires.models import Zonage
from territoires.zonages.signals import zonages_changed
from tests.factories import (
    ProfessionnelFactory,
    QpvZoneFactory,
    RuralZoneFactory,
    StructureFactory,
    interior_point,
)

pytestmark = pytest.mark.django_db


def make_zonings(qpv_around=None, rural_commune=None):
    """A QPV polygon around a point and a rural zone on a commune, then the signal."""
    zones = []
    if qpv_around is not None:
        zones.append(QpvZoneFactory(around=qpv_around))
    if rural_commune is not None:
        zones.append(RuralZoneFactory(communes=[rural_commune]))
    created = [zone.zonage for zone in zones]
    zonages_changed.send(sender=Zonage, zonage_ids=[z.pk for z in created])
    return created


def test_flags_follow_a_new_zoning_then_its_end(structure_93):
    assert not structure_93.en_qpv and not structure_93.en_zone_rurale

    zonages = make_zonings(
        qpv_around=(structure_93.latitude, structure_93.longitude), rural_commune="93066"
    )

    structure_93.refresh_from_db()
    assert structure_93.en_qpv
    assert (structure_93.qpv_code, structure_93.qpv_nom) == ("QN09399T", "Quartier test")
    assert structure_93.en_zone_rurale

    # The acts end: from the next signal on, the place is in neither.
    Zonage.objects.filter(pk__in=[z.pk for z in zonages]).update(valide_au=dt.date(2024, 6, 30))
    zonages_changed.send(sender=Zonage, zonage_ids=[z.pk for z in zonages])
    structure_93.refresh_from_db()
    assert not structure_93.en_qpv and structure_93.qpv_code == ""
    assert not structure_93.en_zone_rurale


def test_qpv_needs_the_point_inside_the_polygon():
    lat, lon = interior_point("93066")
    make_zonings(qpv_around=(lat + 0.01, lon + 0.01))  # ~1 km away
    outside = StructureFactory(commune_code="93066")
    assert not outside.en_qpv

    # Moving the point into the quartier (same commune) flags it on save.
    outside.latitude, outside.longitude = lat + 0.0105, lon + 0.0105
    outside.save()
    assert outside.en_qpv and outside.qpv_code == "QN09399T"

    # Without a point, a QPV that covers only part of the commune does not flag it.
    no_point = StructureFactory(commune_code="93066", with_point=False)
    assert not no_point.en_qpv


def test_professionals_are_recomputed_too():
    pro = ProfessionnelFactory(commune_code="77379", profession="infirmier", annee=2024)
    assert not pro.en_zone_rurale
    make_zonings(rural_commune="77379")
    pro.refresh_from_db()
    assert pro.en_zone_rurale


def test_a_zoning_change_adds_no_history_entry(structure_93):
    before = structure_93.history.count()
    make_zonings(qpv_around=(structure_93.latitude, structure_93.longitude))
    assert Structure.objects.get(pk=structure_93.pk).en_qpv
    assert structure_93.history.count() == before
