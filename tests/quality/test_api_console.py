"""The API console (Swagger UI on the generated description) works under the portal's CSP.

Its scripts and styles are django-ninja's static files served by the portal: no CDN, no
inline script. The `visit` fixture fails on any CSP violation, JavaScript error, 5xx or
request to another host.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db


def test_the_console_lists_the_endpoints_and_answers_a_call(visit):
    page = visit.page
    visit.goto("/donnees/api/")
    page.get_by_role("link", name="essayer l'API dans Swagger UI").click()
    operation = page.locator(".opblock", has_text="/api/v1/territoires/regions/{code}")
    expect(operation).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(12)
    visit.step("console")

    operation.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_placeholder("code").fill("11")
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table")).to_contain_text("Île-de-France")
    visit.step("réponse")
