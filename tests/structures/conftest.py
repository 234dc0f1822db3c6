"""Agents and structures on real communes (official outlines), built by the factories."""

import pytest

from tests.factories import PASSWORD as PASSWORD
from tests.factories import AgentFactory, StructureFactory
from tests.factories import interior_point as interior_point


@pytest.fixture
def agent_93(db):
    return AgentFactory(username="agent93", group="Agent départemental", departements=["93"])


@pytest.fixture
def agent_75(db):
    return AgentFactory(username="agent75", group="Agent départemental", departements=["75"])


@pytest.fixture
def agent_regional(db):
    return AgentFactory(username="regional", group="Agent régional", region="11")


@pytest.fixture
def lecteur(db):
    return AgentFactory(username="lecteur", group="Lecteur", region="11")


@pytest.fixture
def structure_93(db):
    return StructureFactory(commune_code="93066", reference="T-93-1")  # Saint-Denis


@pytest.fixture
def structure_75(db):
    return StructureFactory(commune_code="75115", reference="T-75-1")  # Paris 15e
