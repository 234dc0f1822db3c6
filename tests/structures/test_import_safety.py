"""Admin imports of structures and professionals under hostile or unlucky conditions.

The upload checks every other import goes through (size, type, zip bomb, encoding), a row
cap, no upload left in the temporary folder, a confirmation that writes everything or
nothing (and says so), a confirmation form that only reads the preview's own file, and an
export that can be imported back unchanged.
"""

import io
import re
import tempfile
import time
import zipfile
from html import unescape

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from structures.models import ProfessionnelSoutenu, Structure
from tests.factories import AgentFactory, StructureFactory

from ..form_values import as_post_data, rendered_form
from .conftest import PASSWORD, interior_point
from .test_import import HEADERS, confirm, csv_bytes, preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent_93):
    assert client.login(username=agent_93.username, password=PASSWORD)
    return client


@pytest.fixture
def tmp_folder(tmp_path, monkeypatch):
    """The temporary folder the imports use, emptied for the test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def files_in(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def page_text(response) -> str:
    html = response.content.decode()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    return re.sub(r"\s+", " ", unescape(html) + " ".join(shown))


def good_rows(n, code="93008", prefix="T-N"):
    lat, lon = interior_point(code)
    return [[f"{prefix}-{i}", "msp", f"MSP {i}", code, lat, lon, "", "", "", ""] for i in range(n)]


def xlsx_bomb(rows=50_000) -> bytes:
    """A real workbook whose sheet repeats one row: ~100 KB zipped, tens of MB once read."""
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    row = "<row>" + '<c t="inlineStr"><is><t>B</t></is></c>' * len(HEADERS) + "</row>"
    header = source.read("xl/worksheets/sheet1.xml").decode()
    head, tail = re.sub(r"<dimension[^>]*/>", "", header).split("</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, source.read(info.filename))
        with bomb.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(head.encode())
            chunk = (row * 100).encode()
            for _ in range(rows // 100):
                sheet.write(chunk)  # one row repeated: compresses like a real bomb
            sheet.write(("</sheetData>" + tail).encode())
    return out.getvalue()


# --- Finding 5: the upload checks, the row cap, the temporary files -------------------------


def test_xlsx_zip_bomb_is_refused_quickly_in_french(agent_client, tmp_folder):
    bomb = xlsx_bomb()
    assert len(bomb) < 300 * 1024
    start = time.monotonic()
    response = preview(agent_client, bomb, name="bombe.xlsx", fmt="1")
    elapsed = time.monotonic() - start
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    text = page_text(response)
    assert "trop volumineux une fois décompressé" in text or "découpez le fichier" in text
    assert elapsed < 10, f"{elapsed:.1f} s"
    assert not Structure.objects.exists()
    assert files_in(tmp_folder) == []


def test_oversized_csv_is_refused_before_it_is_parsed(
    agent_client, tmp_folder, settings, monkeypatch
):
    from import_export.formats import base_formats

    def parse(*args, **kwargs):
        raise AssertionError("an oversized file was parsed")

    monkeypatch.setattr(base_formats.TablibFormat, "create_dataset", parse)
    settings.IMPORT_MAX_FILE_SIZE = 2000
    content = csv_bytes(good_rows(60))
    assert len(content) > 2000
    response = preview(agent_client, content)
    assert response.status_code == 200
    assert "Fichier trop volumineux" in page_text(response)
    assert "confirm_form" not in response.context
    assert files_in(tmp_folder) == []


def test_too_many_rows_are_refused_with_a_clear_message(agent_client, tmp_folder, settings):
    settings.IMPORT_MAX_ROWS = 3
    response = preview(agent_client, csv_bytes(good_rows(4)))
    assert "confirm_form" not in response.context
    assert "au-delà de 3 lignes, découpez le fichier" in page_text(response)
    assert not Structure.objects.exists()
    assert files_in(tmp_folder) == []
    # At the cap, the file is accepted.
    assert "confirm_form" in preview(agent_client, csv_bytes(good_rows(3))).context


def test_too_many_rows_in_a_workbook_are_refused_too(agent_client, settings):
    settings.IMPORT_MAX_ROWS = 3
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    for row in good_rows(5):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = preview(agent_client, buffer.getvalue(), name="s.xlsx", fmt="1")
    assert "au-delà de 3 lignes, découpez le fichier" in page_text(response)


def test_a_windows_1252_line_is_refused_at_its_line(agent_client, tmp_folder):
    # Two files pasted together: a UTF-8 export, then a line typed in Windows-1252.
    utf8 = "\n".join([",".join(HEADERS), "T-1,msp,MSP,93008,,,,,,", ""]).encode()
    response = preview(agent_client, utf8 + "T-2,msp,Créteil,93008,,,,,,".encode("cp1252"))
    body = page_text(response)
    assert "n'est pas encodé en UTF-8" in body and "ligne 3" in body
    assert "confirm_form" not in response.context
    assert files_in(tmp_folder) == []


def test_a_semicolon_separated_file_is_read(agent_client):
    """French Excel writes « ; »: the file is read with its own separator."""
    lines = [";".join(HEADERS)] + [";".join(map(str, row)) for row in good_rows(2)]
    response = preview(agent_client, "\n".join(lines).encode())
    assert "confirm_form" in response.context, page_text(response)[-2000:]


def test_a_file_with_an_unknown_separator_gets_a_hint(agent_client):
    lines = ["|".join(HEADERS)] + ["|".join(map(str, row)) for row in good_rows(1)]
    response = preview(agent_client, "\n".join(lines).encode())
    body = page_text(response)
    assert "Colonnes manquantes" in body
    assert "séparateur" in body
    assert "confirm_form" not in response.context


def test_the_format_must_match_the_file(agent_client, tmp_folder):
    response = preview(agent_client, csv_bytes(good_rows(1)), name="s.csv", fmt="1")
    assert "confirm_form" not in response.context
    body = page_text(response)
    assert "mais le format choisi est XLSX" in body
    assert files_in(tmp_folder) == []


def test_no_upload_is_left_in_the_temporary_folder(agent_client, tmp_folder):
    refused = preview(
        agent_client, csv_bytes([["T-X", "msp", "MSP", "99999", "", "", "", "", "", ""]])
    )
    assert "confirm_form" not in refused.context
    assert files_in(tmp_folder) == []

    accepted = preview(agent_client, csv_bytes(good_rows(2)))
    assert "confirm_form" in accepted.context
    done = confirm(agent_client, accepted)
    assert done.status_code == 302
    assert Structure.objects.count() == 2
    assert files_in(tmp_folder) == []


# --- Finding 7: the confirmation writes everything or nothing, and says so -----------------


def test_data_changed_since_the_preview_writes_nothing_and_says_so(agent_client, tmp_folder):
    response = preview(agent_client, csv_bytes(good_rows(2)))
    assert "confirm_form" in response.context
    # Meanwhile, another agent records dossier T-N-1 in Paris (out of this agent's scope).
    StructureFactory(commune_code="75115", reference="T-N-1")
    logs = LogEntry.objects.count()

    done = confirm(agent_client, response)
    body = page_text(done)
    assert "Les données ont changé depuis l'aperçu : relancez l'import" in body
    assert "Import terminé" not in body
    assert not [m for m in get_messages(done.wsgi_request) if m.level_tag == "success"]
    assert LogEntry.objects.count() == logs
    assert list(Structure.objects.values_list("reference", flat=True)) == ["T-N-1"]
    assert files_in(tmp_folder) == []


def test_a_successful_confirmation_logs_existing_objects(agent_client):
    response = preview(agent_client, csv_bytes(good_rows(2)))
    done = confirm(agent_client, response)
    assert done.status_code == 302
    logged = set(LogEntry.objects.values_list("object_id", flat=True))
    assert logged == {str(pk) for pk in Structure.objects.values_list("pk", flat=True)}


# --- Finding 8 (imports): a tampered confirmation form ------------------------------------


def confirm_data(response):
    form = response.context["confirm_form"]
    return {name: form.initial.get(name, "") for name in form.fields}


@pytest.mark.parametrize(
    "field, value",
    [
        ("import_file_name", "../../etc/passwd"),
        ("import_file_name", "inexistant"),
        ("import_file_name", "/etc/hostname"),
        ("format", "9"),
        ("format", "x"),
        ("resource", "7"),
        ("original_file_name", "a\x00b.csv"),
    ],
)
def test_a_tampered_confirmation_is_refused_in_french(agent_client, field, value):
    response = preview(agent_client, csv_bytes(good_rows(1)))
    data = {**confirm_data(response), field: value}
    done = agent_client.post(reverse("admin:structures_structure_process_import"), data)
    assert done.status_code == 400
    assert "déposez le fichier à nouveau" in page_text(done)
    assert not Structure.objects.exists()


def test_the_confirmation_never_reads_another_file_of_the_temporary_folder(
    agent_client, tmp_folder
):
    """Another file there (someone else's upload, or planted) is not imported."""
    (tmp_folder / "autre.csv").write_bytes(csv_bytes(good_rows(1, prefix="VOLE")))
    response = preview(agent_client, csv_bytes(good_rows(1)))
    data = {**confirm_data(response), "import_file_name": "autre.csv"}
    done = agent_client.post(reverse("admin:structures_structure_process_import"), data)
    assert done.status_code == 400
    assert not Structure.objects.exists()


def test_another_agents_preview_cannot_be_confirmed(agent_client, client):
    response = preview(agent_client, csv_bytes(good_rows(1)))
    data = confirm_data(response)
    other = AgentFactory(username="autre93", group="Agent départemental", departements=["93"])
    client.logout()
    assert client.login(username=other.username, password=PASSWORD)
    done = client.post(reverse("admin:structures_structure_process_import"), data)
    assert done.status_code == 400
    assert not Structure.objects.exists()


# --- Finding 11 (imports): export → import round trip -------------------------------------


def exported(client, model, fmt):
    url = reverse(f"admin:structures_{model}_export")
    html = client.get(url).content.decode()
    data = as_post_data(rendered_form(html, form_id=None)[0])
    data["format"] = [re.search(rf'<option value="(\d+)"[^>]*>{fmt}<', html).group(1)]
    response = client.post(url, data)
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("fmt, fmt_index", [("csv", "0"), ("xlsx", "1")])
def test_structures_without_dossier_number_round_trip(agent_client, structure_93, fmt, fmt_index):
    sans = StructureFactory(commune_code="93008", nom="MSP sans numéro", reference="")
    before = sorted(Structure.objects.values_list("pk", "reference", "nom"))
    content = exported(agent_client, "structure", fmt)
    response = preview(agent_client, content, name=f"export.{fmt}", fmt=fmt_index)
    result = response.context["result"]
    assert not result.has_validation_errors() and not result.has_errors(), page_text(response)
    assert [r.import_type for r in result.rows] == ["skip", "skip"]
    assert confirm(agent_client, response).status_code == 302
    assert sorted(Structure.objects.values_list("pk", "reference", "nom")) == before
    sans.refresh_from_db()
    assert sans.reference == ""


def test_professionals_without_dossier_number_round_trip(agent_client):
    from territoires.models import Commune

    commune = Commune.objects.get(code="93066")
    ProfessionnelSoutenu.objects.create(
        reference="", nom="Dr Sans Numéro", profession="sage-femme", commune=commune,
        region=commune.region, annee=2023,
    )  # fmt: skip
    content = exported(agent_client, "professionnelsoutenu", "csv")
    response = preview(agent_client, content, name="export.csv", model="professionnelsoutenu")
    result = response.context["result"]
    assert not result.has_validation_errors() and not result.has_errors(), page_text(response)
    assert [r.import_type for r in result.rows] == ["skip"]
    assert ProfessionnelSoutenu.objects.count() == 1


def test_an_identifier_cannot_reach_another_record(agent_client):
    """The export's identifier column only matches this scope's records without a number."""
    paris = StructureFactory(commune_code="75115", nom="MSP de Paris", reference="")
    numbered = StructureFactory(commune_code="93066", nom="MSP numérotée", reference="T-93-9")
    headers = ["Identifiant", *HEADERS]
    for target in (paris, numbered):
        row = [target.pk, "", "msp", "Détournée", "93066", "", "", "", "", "", ""]
        response = preview(agent_client, csv_bytes([row], headers=headers))
        assert "confirm_form" not in response.context
    paris.refresh_from_db()
    numbered.refresh_from_db()
    assert (paris.nom, numbered.nom) == ("MSP de Paris", "MSP numérotée")
