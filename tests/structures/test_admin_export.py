"""The back-office export page works under the CSP and its CSV opens cleanly in Excel.

The CSP has no 'unsafe-inline' for scripts, so an inline handler (onchange=…) never runs:
the "select all" toggle must come from a script file. Excel reads a CSV as UTF-8 only
with a BOM; without one, "Numéro de dossier" becomes "NumÃ©ro de dossier".
"""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from ..form_values import as_post_data, rendered_form
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="/static/([^"?]+)')


@pytest.mark.parametrize("model", ["structure", "professionnelsoutenu"])
def test_export_page_has_no_inline_handler_and_loads_its_toggle_script(client, agent_93, model):
    assert client.login(username=agent_93.username, password=PASSWORD)
    page = client.get(reverse(f"admin:structures_{model}_export"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="select-all-toggle"' in html
    assert INLINE_HANDLER.findall(html) == []
    scripts = SCRIPT_SRC.findall(html)
    toggle = [s for s in scripts if "select-all" in Path(finders.find(s)).read_text()]
    assert toggle, f"no script file handles the toggle: {scripts}"


def exported_csv(client, model):
    url = reverse(f"admin:structures_{model}_export")
    html = client.get(url).content.decode()
    data = as_post_data(rendered_form(html, form_id=None)[0])
    data["format"] = [re.search(r'<option value="(\d+)"[^>]*>csv<', html).group(1)]
    return client.post(url, data)


@pytest.mark.parametrize("model", ["structure", "professionnelsoutenu"])
def test_csv_export_starts_with_a_bom_and_says_utf8(client, agent_93, structure_93, model):
    assert client.login(username=agent_93.username, password=PASSWORD)
    response = exported_csv(client, model)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.startswith("Numéro de dossier")
    assert "\ufeff" not in text  # one BOM, at the very start
    if model == "structure":
        assert "MSP de test — Saint-Denis" in text
