"""Spreadsheet imports: preview, per-row French errors, all-or-nothing, scope, idempotence."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from structures.models import ProfessionnelSoutenu, Structure
from structures.resources import StructureResource

from .conftest import PASSWORD, interior_point

pytestmark = pytest.mark.django_db

HEADERS = [
    "Numéro de dossier",
    "Type",
    "Nom",
    "Code commune",
    "Latitude",
    "Longitude",
    "Montant accordé (€)",
    "Date de décision",
    "Statut",
    "Professionnels présents",
]


def csv_bytes(rows, headers=HEADERS):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def preview(client, content, name="structures.csv", model="structure", fmt="0"):
    upload = SimpleUploadedFile(name, content)
    return client.post(
        reverse(f"admin:structures_{model}_import"),
        {"import_file": upload, "format": fmt, "resource": "0"},
    )


def confirm(client, response, model="structure"):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(reverse(f"admin:structures_{model}_process_import"), data)


def row_errors(response) -> dict[int, str]:
    """{row number: all its messages} from the preview's result."""
    result = response.context["result"]
    errors = {}
    for row in result.invalid_rows:
        messages = [m for msgs in row.field_specific_errors.values() for m in msgs]
        messages += list(row.non_field_specific_errors)
        errors[row.number] = " | ".join(str(m) for m in messages)
    for number, row_errs in result.row_errors():
        errors[number] = " | ".join(str(e.error) for e in row_errs)
    return errors


@pytest.fixture
def agent_client(client, agent_93):
    assert client.login(username=agent_93.username, password=PASSWORD)
    return client


def test_preview_writes_nothing_then_confirm_imports_with_history(
    agent_client, agent_93, structure_93
):
    lat, lon = interior_point("93008")  # Bobigny
    content = csv_bytes([
        ["T-93-NEW", "Centre de santé", "Centre de santé de Bobigny", "93008", lat, lon,
         "120 000,50", "23/02/2018", "Ouvert", "Médecin généraliste : 4 ; infirmier : 2"],
        ["T-93-1", "msp", "MSP de Saint-Denis (renommée)", "93066", structure_93.latitude,
         structure_93.longitude, "", "", "", ""],
    ])  # fmt: skip
    response = preview(agent_client, content)
    assert response.status_code == 200
    assert not response.context["result"].has_validation_errors(), row_errors(response)
    assert "confirm_form" in response.context
    assert not Structure.objects.filter(reference="T-93-NEW").exists()  # dry run only

    done = confirm(agent_client, response)
    assert done.status_code == 302
    new = Structure.objects.get(reference="T-93-NEW")
    assert (new.type, new.statut) == ("centre-sante", "ouvert")
    assert new.montant_accorde == Decimal("120000.50")
    assert new.date_decision == dt.date(2018, 2, 23)
    assert {p.profession: p.nombre for p in new.presences.all()} == {
        "medecin-generaliste": 4,
        "infirmier": 2,
    }
    record = new.history.latest()
    assert record.history_user == agent_93
    assert record.history_change_reason == "Import de fichier"
    structure_93.refresh_from_db()
    assert structure_93.nom == "MSP de Saint-Denis (renommée)"


def test_importing_the_same_file_twice_changes_nothing(agent_client):
    lat, lon = interior_point("93008")
    content = csv_bytes([["T-IDEM", "msp", "MSP idempotente", "93008", lat, lon, "1000", "", "",
                          "Médecin généraliste : 2"]])  # fmt: skip
    confirm(agent_client, preview(agent_client, content))
    structure = Structure.objects.get(reference="T-IDEM")
    before = (structure.history.count(), structure.modifie_le)

    again = preview(agent_client, content)
    assert [r.import_type for r in again.context["result"].rows] == ["skip"]
    confirm(agent_client, again)
    structure.refresh_from_db()
    assert (structure.history.count(), structure.modifie_le) == before


def test_malformed_file_writes_nothing_and_reports_each_bad_row(agent_client, structure_93):
    lat, lon = interior_point("93008")
    paris_lat, paris_lon = interior_point("75115")
    good = ["T-OK", "msp", "MSP correcte", "93008", lat, lon, "", "", "", ""]
    content = csv_bytes([
        good,
        ["T-2", "msp", "Commune inconnue", "99999", "", "", "", "", "", ""],
        ["T-3", "msp", "Montant illisible", "93008", "", "", "douze mille", "", "", ""],
        ["T-4", "msp", "Date impossible", "93008", "", "", "", "31/02/2020", "", ""],
        ["T-5", "hôpital", "Type inconnu", "93008", "", "", "", "", "", ""],
        ["T-6", "msp", "Latitude seule", "93008", lat, "", "", "", "", ""],
        ["T-7", "msp", "Point à Paris", "93008", paris_lat, paris_lon, "", "", "", ""],
        ["T-OK", "msp", "Doublon", "93008", "", "", "", "", "", ""],
        ["T-9", "msp", "Hors périmètre", "75115", "", "", "", "", "", ""],
        ["", "msp", "Sans numéro", "93008", "", "", "", "", "", ""],
        ["T-11", "msp", "", "93008", "", "", "", "", "", ""],
    ])  # fmt: skip
    response = preview(agent_client, content)
    assert "confirm_form" not in response.context
    errors = row_errors(response)
    assert sorted(errors) == list(range(2, 12))
    assert "99999" in errors[2] and "inconnu" in errors[2]
    assert "n'est pas un nombre" in errors[3]
    assert "n'est pas une date" in errors[4]
    assert "Valeurs possibles" in errors[5]
    assert "latitude et la longitude" in errors[6]
    assert "pas à Bobigny" in errors[7]
    assert "ligne 1" in errors[8]
    assert "hors de votre périmètre" in errors[9]
    assert "obligatoire" in errors[10]
    assert errors[11]  # empty name
    assert not Structure.objects.exclude(pk=structure_93.pk).exists()


def test_a_row_naming_another_departements_dossier_is_refused(agent_client, structure_75):
    lat, lon = interior_point("93008")
    content = csv_bytes([["T-75-1", "msp", "Détournement", "93008", lat, lon, "", "", "", ""]])
    errors = row_errors(preview(agent_client, content))
    assert "hors de votre périmètre" in errors[1]
    structure_75.refresh_from_db()
    assert structure_75.nom != "Détournement" and structure_75.commune.code == "75115"


def test_missing_columns_are_named_in_french(agent_client):
    content = csv_bytes([["x", "y"]], headers=["Nom", "Adresse"])
    response = preview(agent_client, content)
    html = response.content.decode()
    assert "Colonnes manquantes" in html and "Numéro de dossier" in html
    assert "confirm_form" not in response.context


def test_xlsx_with_numbers_and_real_dates(agent_client):
    lat, lon = interior_point("93066")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(["T-XLSX", "Cabinet de groupe", "Cabinet tableur", 93066, lat, lon, 45000,
                  dt.datetime(2021, 3, 15), "Financé", None])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    response = preview(agent_client, buffer.getvalue(), name="structures.xlsx", fmt="1")
    assert not row_errors(response)
    confirm(agent_client, response)
    structure = Structure.objects.get(reference="T-XLSX")
    assert structure.commune.code == "93066" and structure.date_decision == dt.date(2021, 3, 15)


def test_export_contains_only_the_scope(agent_93, structure_93, structure_75):
    dataset = StructureResource(user=agent_93).export(queryset=Structure.objects.all())
    assert dataset["Numéro de dossier"] == ["T-93-1"]
    assert dataset["Département"] == ["93"]


def test_professionals_import_is_scoped_too(client, agent_93):
    assert client.login(username=agent_93.username, password=PASSWORD)
    headers = ["Numéro de dossier", "Profession", "Code commune", "Année", "Montant (€)"]
    content = csv_bytes(
        [["P-1", "Sage-femme", "93066", "2023", "5000"], ["P-2", "infirmier", "75115", "2023", ""]],
        headers=headers,
    )
    response = preview(client, content, model="professionnelsoutenu")
    errors = row_errors(response)
    assert list(errors) == [2] and "hors de votre périmètre" in errors[2]
    assert not ProfessionnelSoutenu.objects.exists()
