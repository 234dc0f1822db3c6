"""Checks every imported file goes through before it is parsed (admin uploads and commands).

    from portal.lib.uploads import validate_upload, read_text
    validate_upload(fichier, ["csv", "xlsx"])   # ValidationError in French, with a code
    texte = read_text(fichier)                   # UTF-8 (BOM accepted) or a French error

`fichier` is an uploaded file (Django `UploadedFile`) or any object with `name`, `size`
and `read()`/`seek()` — a path opened with `open(path, "rb")` for management commands
(its size is then measured).
"""

import json
import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

# Leading bytes of the formats we accept; text formats must not contain NUL bytes.
_ZIP_MAGIC = b"PK\x03\x04"
_TEXT_FORMATS = {"csv", "txt", "json", "geojson"}
_ZIP_FORMATS = {"xlsx"}
# An xlsx is a zip of XML; real spreadsheets inflate ~5-10x, bombs by thousands.
XLSX_MAX_INFLATION = 30


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _size(fichier) -> int:
    size = getattr(fichier, "size", None)
    if size is not None:
        return size
    position = fichier.tell()
    fichier.seek(0, os.SEEK_END)
    size = fichier.tell()
    fichier.seek(position)
    return size


def _head(fichier, length: int = 4096) -> bytes:
    fichier.seek(0)
    head = fichier.read(length)
    fichier.seek(0)
    return head.encode() if isinstance(head, str) else head


def validate_upload(fichier, allowed_extensions, max_size: int | None = None) -> str:
    """Refuse a file by size, extension or content that does not match it; return the extension."""
    allowed = [ext.lower().lstrip(".") for ext in allowed_extensions]
    max_size = settings.IMPORT_MAX_FILE_SIZE if max_size is None else max_size
    extension = _extension(getattr(fichier, "name", ""))
    if extension not in allowed:
        raise ValidationError(
            "Type de fichier non accepté (« .%(ext)s ») : formats acceptés : %(allowed)s.",
            code="extension_non_autorisee",
            params={"ext": extension or "sans extension", "allowed": ", ".join(allowed)},
        )
    size = _size(fichier)
    if size == 0:
        raise ValidationError("Le fichier est vide.", code="fichier_vide")
    if size > max_size:
        raise ValidationError(
            "Fichier trop volumineux (%(size)s Mo) : la limite est de %(max)s Mo.",
            code="fichier_trop_volumineux",
            params={"size": round(size / 1024 / 1024, 1), "max": round(max_size / 1024 / 1024, 1)},
        )
    head = _head(fichier)
    if extension in _ZIP_FORMATS:
        if not head.startswith(_ZIP_MAGIC):
            raise ValidationError(
                "Ce fichier n'est pas un classeur Excel (.xlsx) valide.", code="contenu_invalide"
            )
        check_xlsx(fichier, max_size)
    if extension in _TEXT_FORMATS and b"\x00" in head:
        raise ValidationError(
            "Ce fichier contient des données binaires : un fichier texte (%(ext)s) est attendu.",
            code="contenu_invalide",
            params={"ext": extension},
        )
    return extension


def read_text(fichier) -> str:
    """The file's text, decoded as UTF-8 (with or without BOM); a French error otherwise."""
    fichier.seek(0)
    data = fichier.read()
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValidationError(
            "Le fichier n'est pas encodé en UTF-8 (caractère illisible ligne %(line)s) : "
            "enregistrez-le au format « CSV UTF-8 » et recommencez.",
            code="encodage_invalide",
            params={"line": line},
        ) from error


def read_geojson(fichier) -> dict:
    """Parse a GeoJSON upload: a FeatureCollection or a single Feature, else a French error."""
    try:
        data = json.loads(read_text(fichier))
    except json.JSONDecodeError as error:
        raise ValidationError(
            "GeoJSON illisible (ligne %(line)s, colonne %(col)s) : %(msg)s.",
            code="geojson_invalide",
            params={"line": error.lineno, "col": error.colno, "msg": error.msg},
        ) from error
    if not isinstance(data, dict) or data.get("type") not in {"FeatureCollection", "Feature"}:
        raise ValidationError(
            "Le fichier n'est pas un GeoJSON d'entités (FeatureCollection ou Feature).",
            code="geojson_invalide",
        )
    return data


def check_xlsx(fichier, max_size: int | None = None) -> None:
    """Refuse an .xlsx that is not a readable zip archive (truncated or disguised file), or that
    would inflate far beyond the size limit once decompressed (zip bomb)."""
    max_size = settings.IMPORT_MAX_FILE_SIZE if max_size is None else max_size
    fichier.seek(0)
    try:
        with zipfile.ZipFile(fichier) as archive:
            if "[Content_Types].xml" not in archive.namelist():
                raise zipfile.BadZipFile
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > XLSX_MAX_INFLATION * max_size:
            raise ValidationError(
                "Classeur Excel trop volumineux une fois décompressé.",
                code="fichier_trop_volumineux",
            )
    except (zipfile.BadZipFile, OSError) as error:
        raise ValidationError(
            "Ce fichier n'est pas un classeur Excel (.xlsx) valide.", code="contenu_invalide"
        ) from error
    finally:
        fichier.seek(0)
