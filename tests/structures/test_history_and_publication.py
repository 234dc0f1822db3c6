"""Every change is kept (who, when, previous values); only published rows reach the public."""

import pytest
from django.urls import reverse

from structures.models import ProfessionnelSoutenu, Structure
from territoires.models import Commune
from tests.factories import StructureFactory

from .conftest import PASSWORD
from .test_scope import edit_data

pytestmark = pytest.mark.django_db


def test_an_edit_is_recorded_with_its_author_and_previous_value(client, agent_93, structure_93):
    assert client.login(username=agent_93.username, password=PASSWORD)
    url = reverse("admin:structures_structure_change", args=[structure_93.pk])
    client.post(url, edit_data(client, structure_93, nom="Nouveau nom", montant_accorde="250000"))

    latest, previous = structure_93.history.all()[:2]
    assert latest.history_user == agent_93
    assert latest.history_type == "~"
    delta = latest.diff_against(previous)
    changes = {c.field: (c.old, c.new) for c in delta.changes}
    assert changes["nom"] == ("MSP de test — Saint-Denis", "Nouveau nom")
    assert "montant_accorde" in changes

    page = client.get(reverse("admin:structures_structure_history", args=[structure_93.pk]))
    html = page.content.decode()
    assert "agent93" in html and "Nouveau nom" in html


def test_publication_action_publishes_only_the_selection_in_scope(client, agent_93, structure_93):
    other = StructureFactory(commune_code="93008", reference="T-93-2")
    assert client.login(username=agent_93.username, password=PASSWORD)
    client.post(
        reverse("admin:structures_structure_changelist"),
        {"action": "publier", "_selected_action": [structure_93.pk]},
    )
    structure_93.refresh_from_db()
    other.refresh_from_db()
    assert structure_93.publication == "publiee" and structure_93.publie_le is not None
    assert other.publication == "brouillon"
    assert structure_93.history.latest().history_change_reason == "Publication"
    assert list(Structure.objects.published()) == [structure_93]


def test_reader_cannot_publish(client, lecteur, structure_93):
    assert client.login(username=lecteur.username, password=PASSWORD)
    client.post(
        reverse("admin:structures_structure_changelist"),
        {"action": "publier", "_selected_action": [structure_93.pk]},
    )
    structure_93.refresh_from_db()
    assert structure_93.publication == "brouillon"


def test_public_aggregates_of_professionals_count_published_rows_without_names():
    commune = Commune.objects.get(code="93066")
    for name, publication in (("Dr A", "publiee"), ("Dr B", "publiee"), ("Dr C", "brouillon")):
        ProfessionnelSoutenu.objects.create(
            nom=name, profession="sage-femme", commune=commune, region=commune.region,
            annee=2024, montant=1000, publication=publication,
        )  # fmt: skip
    rows = list(ProfessionnelSoutenu.objects.published().par_commune())
    assert rows == [
        {"commune__code": "93066", "commune__nom": "Saint-Denis", "profession": "sage-femme",
         "nombre": 2, "montant": rows[0]["montant"]}
    ]  # fmt: skip
    assert rows[0]["montant"] == 2000
    assert not any("Dr" in str(value) for row in rows for value in row.values())
