"""Malformed and hostile files, as an agent or an attacker might hand them to an import."""

import io
import json
import zipfile
from pathlib import Path

import openpyxl
from django.apps import apps

PROJECT_APPS = {"portal", "territoires", "aides", "structures"}
# A size above the limit the hostile-file tests set (settings.IMPORT_MAX_FILE_SIZE).
TEST_SIZE_LIMIT = 256 * 1024


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _feature_collection(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (40 * TEST_SIZE_LIMIT))
    return buffer.getvalue()


def hostile_files() -> dict[str, bytes]:
    """file name → content. Every one of them must be refused with a French message."""
    formulas = (
        "code_insee;categorie;nom\n"
        '=1+2;@SUM(A1);=HYPERLINK("http://exemple.invalid";"clic")\n'
        "+33;-1;=cmd|' /C calc'!A0\n"
    )
    huge_rows = "code_insee;categorie\n" + "93066;zip\n" * (TEST_SIZE_LIMIT // 10 + 1000)
    return {
        # Excel's "texte Unicode" (UTF-16) and an old Mac export: neither reads as intended.
        "encodage-utf16.csv": "code_insee;categorie\n93066;très sous-dotée\n".encode("utf-16-le"),
        "encodage-macroman.csv": "code_insee;categorie\n93066;très sous-dotée\n".encode(
            "mac_roman"
        ),
        "formules.csv": formulas.encode(),
        "formules.xlsx": _xlsx(
            [["code_insee", "categorie", "nom"], ["=1+2", "@SUM(A1)", '=HYPERLINK("x")']]
        ),
        "binaire.csv": bytes(range(256)) * 8,
        "vide.csv": b"",
        "colonnes-inconnues.csv": b"a,b\n1,2\n",
        "enorme.csv": huge_rows.encode(),
        "faux-classeur.xlsx": b"code_insee;categorie\n93066;zip\n",
        "classeur-tronque.xlsx": _xlsx([["code_insee"], ["93066"]])[:300],
        "bombe.xlsx": _zip_bomb(),
        "tronque.geojson": b'{"type": "FeatureCollection", "features": [{"type": "Feat',
        "pas-geojson.geojson": b"[1, 2, 3]",
        "geometrie-cassee.geojson": _feature_collection(
            [
                {
                    "type": "Feature",
                    "properties": {"code": "93066", "code_qp": "QN09312M", "nom": "Cassé"},
                    "geometry": {"type": "Polygon", "coordinates": "pas des coordonnées"},
                }
            ]
        ),
        "proprietes-hostiles.geojson": _feature_collection(
            [
                {
                    "type": "Feature",
                    "properties": {"code": "=1+2", "code_qp": "@SUM(A1)", "nom": "=cmd"},
                    "geometry": {"type": "Point", "coordinates": [1e308, -1e308]},
                }
            ]
        ),
    }


def write_all(folder: Path) -> dict[str, Path]:
    paths = {}
    for name, content in hostile_files().items():
        path = folder / name
        path.write_bytes(content)
        paths[name] = path
    return paths


def row_counts() -> dict[str, int]:
    """Rows of every model of the project: an import that refuses a file changes none."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
    }
