"""Every admin upload view, fed malformed or hostile files: an error shown, nothing written.

Upload views are found in the admin's URLs (names containing "import", except the
confirmation step). Their form is read from the page (fields and default choices); a view
whose form needs values the page does not give gets them in VIEW_FIELDS.
"""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse

from tests.quality import stats
from tests.quality.hostile_files import TEST_SIZE_LIMIT, hostile_files, row_counts

pytestmark = pytest.mark.django_db

VIEW_FIELDS = {
    "territoires_zonage_import": {
        "kind": "ars",
        "profession": "medecin-generaliste",
        "date_acte": "2025-12-09",
        "url": "https://www.iledefrance.ars.sante.fr/zonage-medecins",
    },
}
ERROR_MARKERS = re.compile(
    r"errorlist|errornote|validation-error|fr-alert--error|fr-error-text|erreur|refusé",
    re.IGNORECASE,
)
CONFIRM = re.compile(
    r'<(?:input|button)[^>]*(?:value="[^"]*onfirm|>\s*Confirmer)|process_import', re.IGNORECASE
)


# The admin's import views (structures_structure_import…), not their processing step nor the
# list of background imports (structures_importentache_…).
UPLOAD_VIEW = re.compile(r"^(?!.*process).*_import(_|$)")


def admin_upload_views() -> list[str]:
    names = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "admin":
            stack = list(entry.url_patterns)
            while stack:
                item = stack.pop()
                if isinstance(item, URLResolver):
                    stack.extend(item.url_patterns)
                elif (
                    item.name
                    and re.search(r"_import(_|$)", item.name)
                    and "process" not in item.name
                ):
                    names.append(item.name)
    return sorted(names)


class FormReader(HTMLParser):
    """Fields of the page's forms: {form index: {name: default}} and which has a file input."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.file_fields: dict[int, str] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({})
        if not self.forms:
            return
        fields = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "file":
                self.file_fields[len(self.forms) - 1] = name
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind not in {"submit", "button"}:
                fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if "selected" in a or (value and not fields.get(self._select)):
                fields[self._select] = value
        elif tag == "textarea" and name:
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def upload_form(client, url_name):
    reader = FormReader()
    reader.feed(client.get(reverse(f"admin:{url_name}")).content.decode())
    assert reader.file_fields, f"{url_name} : aucun champ fichier sur la page"
    index, file_field = next(iter(reader.file_fields.items()))
    return reader.forms[index], file_field


def format_choice(client, url_name, filename) -> dict:
    """django-import-export asks for the format: pick the one matching the file's extension."""
    html = client.get(reverse(f"admin:{url_name}")).content.decode()
    select = re.search(r'<select[^>]*name="format".*?</select>', html, re.S)
    if not select:
        return {}
    extension = filename.rsplit(".", 1)[-1].lower()
    for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select.group(0)):
        if label.strip().lower() == extension:
            return {"format": value}
    return {}


def test_admin_upload_views_are_found():
    assert {"structures_structure_import", "territoires_zonage_import"} <= set(admin_upload_views())


@pytest.mark.parametrize("url_name", admin_upload_views())
def test_hostile_uploads_are_refused_and_write_nothing(url_name, admin_client, settings):
    from territoires.models import Region

    settings.IMPORT_MAX_FILE_SIZE = TEST_SIZE_LIMIT
    fields, file_field = upload_form(admin_client, url_name)
    extra = dict(VIEW_FIELDS.get(url_name, {}))
    if "region" in fields:
        extra.setdefault("region", str(Region.objects.get(code="11").pk))
    problems = []
    for name, content in hostile_files().items():
        stats.fuzzed["fichiers hostiles (admin)"] += 1
        data = {**fields, **extra, **format_choice(admin_client, url_name, name)}
        data[file_field] = SimpleUploadedFile(name, content)
        before = row_counts()
        response = admin_client.post(reverse(f"admin:{url_name}"), data)
        body = response.content.decode(errors="replace")
        after = row_counts()
        if response.status_code >= 500:
            problems.append(f"{name} : erreur {response.status_code}")
        elif before != after:
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            problems.append(f"{name} : des lignes ont été écrites {changed}")
        elif response.status_code in (301, 302) or CONFIRM.search(body):
            problems.append(f"{name} : accepté (statut {response.status_code}, confirmation)")
        elif not ERROR_MARKERS.search(body):
            problems.append(f"{name} : aucune erreur affichée")
    assert problems == [], "\n".join(problems)


def test_the_harness_sees_an_accepted_file(admin_client):
    """Control: the same form filling, with a valid file, reaches the confirmation step —
    so the refusals above are the views' doing, not a badly filled form."""
    url_name = "structures_structure_import"
    fields, file_field = upload_form(admin_client, url_name)
    good = (
        "Numéro de dossier,Type,Nom,Code commune,Latitude,Longitude,Statut\n"
        "CONTROLE-1,msp,MSP de Provins,77379,48.5597,3.2995,financé\n"
    )
    data = {**fields, **format_choice(admin_client, url_name, "bon.csv")}
    data[file_field] = SimpleUploadedFile("bon.csv", good.encode())
    response = admin_client.post(reverse(f"admin:{url_name}"), data)
    assert response.status_code == 200
    assert CONFIRM.search(response.content.decode())
