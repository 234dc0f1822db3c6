"""portal.lib.uploads: the checks every import runs before parsing a file."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.lib.uploads import read_geojson, read_text, validate_upload


def upload(name, content: bytes):
    return SimpleUploadedFile(name, content)


def xlsx_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def refused(fichier, extensions, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_upload(fichier, extensions, **kwargs)
    return caught.value


def test_a_plain_csv_passes_and_its_extension_is_returned():
    assert validate_upload(upload("zonage.CSV", b"code;categorie\n93066;zip\n"), ["csv"]) == "csv"


def test_wrong_extension_is_refused_in_french():
    error = refused(upload("zonage.exe", b"MZ..."), ["csv", "xlsx"])
    assert error.code == "extension_non_autorisee"
    assert "Type de fichier non accepté" in error.messages[0]
    assert "csv, xlsx" in error.messages[0]


def test_empty_and_oversized_files_are_refused(settings):
    assert refused(upload("vide.csv", b""), ["csv"]).code == "fichier_vide"
    settings.IMPORT_MAX_FILE_SIZE = 1024
    error = refused(upload("gros.csv", b"a;b\n" * 1000), ["csv"])
    assert error.code == "fichier_trop_volumineux"
    assert "la limite est de" in error.messages[0]


def test_binary_content_behind_a_text_extension_is_refused():
    error = refused(upload("zonage.csv", b"\x00\x01\x02PK garbage"), ["csv"])
    assert error.code == "contenu_invalide"


def test_xlsx_must_be_a_real_workbook():
    assert refused(upload("faux.xlsx", b"code;categorie\n"), ["xlsx"]).code == "contenu_invalide"
    not_a_workbook = xlsx_bytes({"autre.txt": b"x"})
    assert refused(upload("zip.xlsx", not_a_workbook), ["xlsx"]).code == "contenu_invalide"
    good = xlsx_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"})
    assert validate_upload(upload("ok.xlsx", good), ["xlsx"]) == "xlsx"


def test_xlsx_zip_bomb_is_refused(settings):
    settings.IMPORT_MAX_FILE_SIZE = 64 * 1024
    bomb = xlsx_bytes({"[Content_Types].xml": b"<Types/>", "xl/sheet.xml": b"0" * 5_000_000})
    assert len(bomb) < settings.IMPORT_MAX_FILE_SIZE
    assert refused(upload("bombe.xlsx", bomb), ["xlsx"]).code == "fichier_trop_volumineux"


def test_files_opened_from_disk_are_measured(tmp_path, settings):
    settings.IMPORT_MAX_FILE_SIZE = 10
    path = tmp_path / "zonage.csv"
    path.write_bytes(b"0123456789ABCDEF")
    with path.open("rb") as fichier:
        assert refused(fichier, ["csv"]).code == "fichier_trop_volumineux"


def test_read_text_accepts_utf8_with_or_without_bom():
    assert read_text(upload("a.csv", "nom\nÉpinal\n".encode())) == "nom\nÉpinal\n"
    assert read_text(upload("a.csv", "\ufeffnom\nÉpinal\n".encode())) == "nom\nÉpinal\n"


def test_read_text_names_the_line_of_a_wrong_encoding():
    with pytest.raises(ValidationError) as caught:
        read_text(upload("a.csv", "nom\nParis\nÉpinal\n".encode("cp1252")))
    assert caught.value.code == "encodage_invalide"
    assert "ligne 3" in caught.value.messages[0]
    assert "UTF-8" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"type": "FeatureCollection", "features": [', "GeoJSON illisible (ligne 1"),
        (b"[1, 2, 3]", "n'est pas un GeoJSON"),
        (b'{"type": "Polygon", "coordinates": []}', "n'est pas un GeoJSON"),
    ],
)
def test_broken_geojson_gets_a_french_error(content, fragment):
    with pytest.raises(ValidationError) as caught:
        read_geojson(upload("contours.geojson", content))
    assert caught.value.code == "geojson_invalide"
    assert fragment in caught.value.messages[0]


def test_read_geojson_returns_a_feature_collection():
    data = read_geojson(upload("c.geojson", b'{"type": "FeatureCollection", "features": []}'))
    assert data["features"] == []
