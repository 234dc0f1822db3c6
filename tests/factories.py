"""Test data factories (factory-boy) on the real reference data of the test database.

Communes, départements and régions come from the COG imported once per session
(tests/conftest.py): factories look them up by code, they never invent territories.
Post-generation hooks do not save the record again, so no extra history entry is written.
"""

import datetime as dt

import factory
from django.contrib.auth.models import Group, User
from factory.django import DjangoModelFactory, Password

from aides.models import Aide, ConditionZonage, Financeur
from structures.models import ProfessionnelSoutenu, ProfilAgent, Structure
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

PASSWORD = "mot-de-passe-de-test"
TODAY = dt.date(2026, 11, 23)


def interior_point(code):
    """A point inside the commune's official outline (computed at import)."""
    contour = Contour.objects.get(niveau=Contour.Niveau.COMMUNE, code=code)
    return round(contour.point_lat, 6), round(contour.point_lon, 6)


def square(lat, lon, half=0.002):
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "MultiPolygon", "coordinates": [[ring]]}


def _region(code):
    return Region.objects.get(code=code) if code else None


# --- Zonings ---------------------------------------------------------------------------


class ZonageFactory(DjangoModelFactory):
    """An ARS act of Île-de-France, without categories; traits for a QPV or FRR list."""

    class Meta:
        model = Zonage
        skip_postgeneration_save = True

    class Params:
        region_code = "11"
        qpv = factory.Trait(
            kind=ZonageKind.QPV, titre="QPV de test", editeur="ANCT", region_code=None, url="",
            date_acte=dt.date(2024, 1, 1),
        )  # fmt: skip
        rural = factory.Trait(
            kind=ZonageKind.RURAL, titre="FRR de test", editeur="État", region_code=None, url="",
            date_acte=dt.date(2024, 1, 1),
        )  # fmt: skip

    kind = ZonageKind.ARS
    profession = ""
    region = factory.LazyAttribute(lambda o: _region(o.region_code))
    titre = "Arrêté de test"
    editeur = "ARS Île-de-France"
    date_acte = dt.date(2022, 3, 31)
    valide_du = factory.SelfAttribute("date_acte")
    url = "https://example.test/arrete"
    demonstration = False


class CategorieZoneFactory(DjangoModelFactory):
    class Meta:
        model = CategorieZone

    zonage = factory.SubFactory(ZonageFactory)
    code = "zip"
    libelle = "Zone d'intervention prioritaire (ZIP)"
    ordre = 0


class ZoneFactory(DjangoModelFactory):
    """A zone of a category; `communes` lists commune codes, or (commune, IRIS) pairs."""

    class Meta:
        model = Zone
        skip_postgeneration_save = True

    categorie = factory.SubFactory(CategorieZoneFactory)
    zonage = factory.SelfAttribute("categorie.zonage")
    libelle = ""
    code = ""
    geometrie = None

    @factory.post_generation
    def communes(zone, create, extracted, **kwargs):
        for territory in extracted or ():
            commune, iris = territory if isinstance(territory, tuple) else (territory, "")
            ZoneCommune.objects.create(
                zone=zone, commune=Commune.objects.get(code=commune), code_iris=iris
            )


class QpvZoneFactory(ZoneFactory):
    """A quartier of a QPV zoning: a small square `around` a (lat, lon) point."""

    class Params:
        around = (48.9, 2.35)

    categorie = factory.SubFactory(
        CategorieZoneFactory, code="qpv", libelle="QPV", zonage__qpv=True
    )
    code = "QN09399T"
    libelle = "Quartier test"
    geometrie = factory.LazyAttribute(lambda o: square(*o.around))


class RuralZoneFactory(ZoneFactory):
    """The rural zone (FRR) of a national list; give it `communes`."""

    categorie = factory.SubFactory(
        CategorieZoneFactory, code="frr", libelle="FRR", zonage__rural=True
    )
    libelle = "FRR test"


class ActeFactory(ZonageFactory):
    """A doctors' act of the zoning tests; `zones` maps category codes to territories.

    Each category (in the given order, from 1, opening the conventional aids) gets one zone
    on its territories: commune codes or (commune, IRIS) pairs.
    """

    profession = "medecin-generaliste"
    titre = factory.LazyAttribute(lambda o: f"Acte {o.kind} {o.profession} du {o.date_acte}")
    url = "https://example.test/acte"

    @factory.post_generation
    def zones(zonage, create, extracted, **kwargs):
        for ordre, (code, territories) in enumerate((extracted or {}).items(), start=1):
            ZoneFactory(
                categorie=CategorieZoneFactory(
                    zonage=zonage, code=code, libelle=code.upper(), ordre=ordre,
                    eligibilites=["aides-conventionnelles"],
                ),
                communes=territories,
            )  # fmt: skip


# --- Aids ------------------------------------------------------------------------------


class AideFactory(DjangoModelFactory):
    """A published grant; `conditions` are (profession, categories) pairs, the territories
    and funders are given by code/slug (funders are created when missing)."""

    class Meta:
        model = Aide
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"aide-{n}")
    statut = "publiee"
    nom = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    resume = "Résumé."
    forme = "subvention"
    nature_montant = "plafond"
    montant_max = 1000
    publics = factory.LazyFunction(lambda: ["professionnel"])
    etapes = factory.LazyFunction(lambda: ["installation"])
    url_officielle = "https://example.test/aide"
    verifie_le = TODAY

    @factory.post_generation
    def conditions(aide, create, extracted, **kwargs):
        for profession, categories in extracted or ():
            ConditionZonage.objects.create(aide=aide, profession=profession, categories=categories)

    @factory.post_generation
    def regions(aide, create, extracted, **kwargs):
        if extracted:
            aide.regions.set(Region.objects.filter(code__in=extracted))

    @factory.post_generation
    def departements(aide, create, extracted, **kwargs):
        if extracted:
            aide.departements.set(Departement.objects.filter(code__in=extracted))

    @factory.post_generation
    def communes(aide, create, extracted, **kwargs):
        if extracted:
            aide.communes.set(Commune.objects.filter(code__in=extracted))

    @factory.post_generation
    def financeurs(aide, create, extracted, **kwargs):
        for slug in extracted or ():
            aide.financeurs.add(
                Financeur.objects.get_or_create(slug=slug, defaults={"nom": slug})[0]
            )


# --- Agents, structures, professionals ---------------------------------------------------


class AgentFactory(DjangoModelFactory):
    """A staff user (password PASSWORD) in the named `group`; a `region` code or
    `departements` codes give them an agent profile."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    password = Password(PASSWORD)
    is_staff = True
    is_superuser = False

    @factory.post_generation
    def group(user, create, extracted, **kwargs):
        if extracted:
            user.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def region(user, create, extracted, **kwargs):
        if extracted:
            ProfilAgent.objects.create(user=user, region=_region(extracted))

    @factory.post_generation
    def departements(user, create, extracted, **kwargs):
        if extracted:
            profil, _ = ProfilAgent.objects.get_or_create(user=user)
            profil.departements.set(Departement.objects.filter(code__in=extracted))


class _LieuFactory(DjangoModelFactory):
    """A place on a real commune (`commune_code`), at a point inside its official outline
    unless `with_point` is false."""

    class Params:
        commune_code = "93066"  # Saint-Denis
        with_point = True
        point = factory.LazyAttribute(
            lambda o: interior_point(o.commune.code) if o.with_point else (None, None)
        )

    commune = factory.LazyAttribute(lambda o: Commune.objects.get(code=o.commune_code))
    region = factory.SelfAttribute("commune.region")
    latitude = factory.LazyAttribute(lambda o: o.point[0])
    longitude = factory.LazyAttribute(lambda o: o.point[1])


class StructureFactory(_LieuFactory):
    class Meta:
        model = Structure

    nom = factory.LazyAttribute(lambda o: f"MSP de test — {o.commune.nom}")
    type = "msp"


class ProfessionnelFactory(_LieuFactory):
    """A supported nurse of 2024, without a point (the commune's place)."""

    class Meta:
        model = ProfessionnelSoutenu

    class Params:
        with_point = False

    profession = "infirmier"
    annee = 2024
