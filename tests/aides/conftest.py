"""Fixtures of the aid tests: a small zoning (factories), and the demo zoning once per module."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from aides.models import Aide, Bareme, ConditionZonage, Financeur, PalierBareme
from territoires.models import CategorieZone, Profession, Zonage, Zone, ZoneCommune
from territoires.zonages.lookup import reset_index
from tests.factories import AideFactory, CategorieZoneFactory, ZonageFactory, ZoneFactory


@pytest.fixture
def zip_saint_denis(db):
    """An ARS doctors' act putting Saint-Denis (93066) in ZIP and Provins (77379) in ZAC."""
    zonage = ZonageFactory(
        profession=Profession.MEDECIN_GENERALISTE,
        titre="Arrêté ARS Île-de-France relatif au zonage médecins",
    )
    ZoneFactory(categorie=CategorieZoneFactory(zonage=zonage), communes=["93066"])
    zac = CategorieZoneFactory(
        zonage=zonage, code="zac", libelle="Zone d'action complémentaire (ZAC)", ordre=1
    )
    ZoneFactory(categorie=zac, communes=["77379"])
    return zonage


@pytest.fixture
def aides(zip_saint_denis):
    """Around zip_saint_denis: a zoned aid, a regional one, a draft, a closed one."""
    AideFactory(
        slug="aide-zip",
        nom="Aide aux médecins en ZIP",
        professions=["medecin-generaliste"],
        conditions=[("medecin-generaliste", "zip")],
        montant_max=10000,
        financeurs=["assurance-maladie"],
    )
    AideFactory(slug="aide-region", nom="Aide de la région", regions=["11"], montant_max=500)
    AideFactory(slug="aide-brouillon", nom="Aide en préparation", statut="brouillon")
    AideFactory(
        slug="aide-fermee",
        nom="Contrat fermé",
        statut="archivee",
        date_cloture="2025-12-31",
        conditions=[("medecin-generaliste", "zip")],
    )


@pytest.fixture
def commit():
    """What the end of a request's transaction does: run and forget the on-commit callbacks
    (the data version's publication among them). The test's own transaction never commits."""

    def run():
        callbacks, connection.run_on_commit = connection.run_on_commit, []
        for _, callback, _ in callbacks:
            callback()

    return run


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
