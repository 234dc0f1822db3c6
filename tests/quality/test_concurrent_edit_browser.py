"""An agent whose record was changed by a colleague meanwhile is told so, in the browser.

Chromium submits the real change form (with its hidden version stamp); the refusal is read
as a person reads it, and checked by axe-core.
"""

import pytest
from playwright.sync_api import expect

from structures.models import Structure
from tests.factories import StructureFactory
from tests.quality.conftest import blocking, describe, run_axe
from tests.quality.test_browser_journeys import agent as agent
from tests.quality.test_browser_journeys import log_in

pytestmark = pytest.mark.django_db


def test_an_agent_is_told_what_a_colleague_changed_and_nothing_is_lost(visit, agent):
    structure = StructureFactory(commune_code="93066", nom="MSP des Lilas", adresse="1 rue A")
    page = visit.page
    log_in(visit, agent.username)
    visit.goto(f"/admin/structures/structure/{structure.pk}/change/")
    before = _problems(run_axe(page))  # the admin's own widgets are not this test's subject
    page.locator("#id_adresse").fill("2 rue de l'agente")
    visit.step("formulaire ouvert et modifié")

    colleague = Structure.objects.get(pk=structure.pk)  # a colleague saves meanwhile
    colleague.nom = "MSP <Lilas> rénovée"
    colleague.save()

    page.locator('input[name="_save"]').click()
    errors = page.locator(".errorlist.nonfield")
    expect(errors).to_contain_text("modifié par quelqu'un d'autre depuis que vous l'avez ouvert")
    expect(errors).to_contain_text(
        "Nom : « MSP <Lilas> rénovée » dans la base maintenant, « MSP des Lilas »"
    )
    expect(page.locator("#id_adresse")).to_have_value("2 rue de l'agente")  # input kept
    visit.step("enregistrement refusé : différences affichées")
    added = [v for v in blocking(run_axe(page)) if (v["id"], tuple(v["nodes"])) not in before]
    assert added == [], describe(added)  # the refusal adds no serious violation
    structure.refresh_from_db()
    assert (structure.nom, structure.adresse) == ("MSP <Lilas> rénovée", "1 rue A")

    # Having seen the differences, saving again is her deliberate choice.
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_be_visible()
    structure.refresh_from_db()
    assert structure.adresse == "2 rue de l'agente"


def _problems(violations):
    return {(v["id"], tuple(v["nodes"])) for v in blocking(violations)}
