"""Agents, structures on real communes (official outlines), and small test zonings."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User

from structures.models import ProfilAgent, Structure
from territoires.models import (
    CategorieZone,
    Commune,
    Contour,
    Departement,
    Region,
    Zonage,
    ZonageKind,
    Zone,
    ZoneCommune,
)
from territoires.zonages.signals import zonages_changed

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def make_agent(db):
    def make(username, group=None, region=None, departements=(), superuser=False):
        user = User.objects.create_user(
            username, password=PASSWORD, is_staff=True, is_superuser=superuser
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        if region or departements:
            profil = ProfilAgent.objects.create(
                user=user, region=Region.objects.get(code=region) if region else None
            )
            profil.departements.set(Departement.objects.filter(code__in=departements))
        return user

    return make


@pytest.fixture
def agent_93(make_agent):
    return make_agent("agent93", "Agent départemental", departements=["93"])


@pytest.fixture
def agent_75(make_agent):
    return make_agent("agent75", "Agent départemental", departements=["75"])


@pytest.fixture
def agent_regional(make_agent):
    return make_agent("regional", "Agent régional", region="11")


@pytest.fixture
def lecteur(make_agent):
    return make_agent("lecteur", "Lecteur", region="11")


def interior_point(code):
    """A point inside the commune's official outline (computed at import)."""
    contour = Contour.objects.get(niveau=Contour.Niveau.COMMUNE, code=code)
    return round(contour.point_lat, 6), round(contour.point_lon, 6)


@pytest.fixture
def make_structure(db):
    def make(code, nom=None, with_point=True, **fields):
        commune = Commune.objects.get(code=code)
        lat, lon = interior_point(code) if with_point else (None, None)
        fields.setdefault("type", "msp")
        return Structure.objects.create(
            nom=nom or f"MSP de test — {commune.nom}",
            commune=commune,
            region=commune.region,
            latitude=lat,
            longitude=lon,
            **fields,
        )

    return make


@pytest.fixture
def structure_93(make_structure):
    return make_structure("93066", reference="T-93-1")  # Saint-Denis


@pytest.fixture
def structure_75(make_structure):
    return make_structure("75115", reference="T-75-1")  # Paris 15e


def square(lat, lon, half=0.002):
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "MultiPolygon", "coordinates": [[ring]]}


@pytest.fixture
def make_zonings(db):
    """A QPV polygon around a point and a rural zone on a commune, then the signal."""

    def make(qpv_around=None, rural_commune=None, valide_du=dt.date(2024, 1, 1)):
        created = []
        if qpv_around is not None:
            zonage = Zonage.objects.create(
                kind=ZonageKind.QPV,
                titre="QPV de test",
                editeur="ANCT",
                date_acte=valide_du,
                valide_du=valide_du,
            )
            categorie = CategorieZone.objects.create(zonage=zonage, code="qpv", libelle="QPV")
            Zone.objects.create(
                zonage=zonage,
                categorie=categorie,
                code="QN09399T",
                libelle="Quartier test",
                geometrie=square(*qpv_around),
            )
            created.append(zonage)
        if rural_commune is not None:
            zonage = Zonage.objects.create(
                kind=ZonageKind.RURAL,
                titre="FRR de test",
                editeur="État",
                date_acte=valide_du,
                valide_du=valide_du,
            )
            categorie = CategorieZone.objects.create(zonage=zonage, code="frr", libelle="FRR")
            zone = Zone.objects.create(zonage=zonage, categorie=categorie, libelle="FRR test")
            ZoneCommune.objects.create(zone=zone, commune=Commune.objects.get(code=rural_commune))
            created.append(zonage)
        zonages_changed.send(sender=Zonage, zonage_ids=[z.pk for z in created])
        return created

    return make
