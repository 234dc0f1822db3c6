"""Fixtures of the aid tests: small hand-made zonings, aids, and the demo zoning once per module."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from aides.models import Aide, Bareme, ConditionZonage, Financeur, PalierBareme
from territoires.models import (
    CategorieZone,
    Commune,
    Profession,
    Region,
    Zonage,
    ZonageKind,
    Zone,
    ZoneCommune,
)
from territoires.zonages.lookup import reset_index

TODAY = dt.date(2026, 11, 23)


ZIP = ("zip", "Zone d'intervention prioritaire (ZIP)")


def make_zonage(kind=ZonageKind.ARS, profession="", titre="Arrêté de test",
                editeur="ARS Île-de-France", date_acte=dt.date(2022, 3, 31), categories=(ZIP,),
                region_code="11", demonstration=False):  # fmt: skip
    zonage = Zonage.objects.create(
        kind=kind,
        profession=profession,
        region=Region.objects.get(code=region_code) if region_code else None,
        titre=titre,
        editeur=editeur,
        date_acte=date_acte,
        valide_du=date_acte,
        url="https://example.test/arrete",
        demonstration=demonstration,
    )
    cats = {
        code: CategorieZone.objects.create(zonage=zonage, code=code, libelle=libelle, ordre=i)
        for i, (code, libelle) in enumerate(categories)
    }
    return zonage, cats


def add_zone(zonage, categorie, communes=(), libelle="", code="", geometrie=None):
    zone = Zone.objects.create(
        zonage=zonage, categorie=categorie, libelle=libelle, code=code, geometrie=geometrie
    )
    for commune_code in communes:
        ZoneCommune.objects.create(zone=zone, commune=Commune.objects.get(code=commune_code))
    return zone


def make_aide(slug, *, statut="publiee", conditions=(), regions=(), communes=(), financeurs=(),
              **fields):  # fmt: skip
    defaults = {
        "nom": slug.replace("-", " ").capitalize(),
        "resume": "Résumé.",
        "forme": "subvention",
        "nature_montant": "plafond",
        "montant_max": 1000,
        "publics": ["professionnel"],
        "etapes": ["installation"],
        "url_officielle": "https://example.test/aide",
        "verifie_le": TODAY,
    }
    defaults.update(fields)
    aide = Aide.objects.create(slug=slug, statut=statut, **defaults)
    for profession, categories in conditions:
        ConditionZonage.objects.create(aide=aide, profession=profession, categories=categories)
    if regions:
        aide.regions.set(Region.objects.filter(code__in=regions))
    if communes:
        aide.communes.set(Commune.objects.filter(code__in=communes))
    for slug_financeur in financeurs:
        aide.financeurs.add(
            Financeur.objects.get_or_create(slug=slug_financeur, defaults={"nom": slug_financeur})[
                0
            ]
        )
    return aide


@pytest.fixture
def zip_saint_denis(db):
    """An ARS doctors' act putting Saint-Denis (93066) in ZIP and Provins (77379) in ZAC."""
    zonage, cats = make_zonage(
        profession=Profession.MEDECIN_GENERALISTE,
        titre="Arrêté ARS Île-de-France relatif au zonage médecins",
        categories=(("zip", "Zone d'intervention prioritaire (ZIP)"),
                    ("zac", "Zone d'action complémentaire (ZAC)")),
    )  # fmt: skip
    add_zone(zonage, cats["zip"], ["93066"])
    add_zone(zonage, cats["zac"], ["77379"])
    return zonage


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demonstration zoning (Île-de-France and Grand Est) and the real catalogue.

    Loaded once for the module, outside the per-test transactions (without history, which
    these tests do not read), and removed afterwards so that other modules see the database
    as the session fixture left it.
    """
    with django_db_blocker.unblock(), override_settings(SIMPLE_HISTORY_ENABLED=False):
        call_command(
            "load_demo_zonages",
            profession=["medecin-generaliste", "infirmier"],
            stdout=io.StringIO(),
        )
        call_command("load_aides", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        _remove_aides_and_zonages()


# Children first. Plain DELETE statements: the ORM would send one signal per zone row.
_TABLES_TO_EMPTY = [
    ConditionZonage, Aide.financeurs.through, Aide.regions.through, Aide.departements.through,
    Aide.communes.through, Aide, PalierBareme, Bareme.origines.through, Bareme, Financeur,
    ZoneCommune, Zone, CategorieZone, Zonage,
]  # fmt: skip


def _remove_aides_and_zonages():
    models = _TABLES_TO_EMPTY + [m.history.model for m in _TABLES_TO_EMPTY if hasattr(m, "history")]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    reset_index()
