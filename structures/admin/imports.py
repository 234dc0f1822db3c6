"""Admin imports of structures and professionals: the checks every other import goes through.

django-import-export alone parses whatever is posted (a zip bomb, an 11 MB CSV, 50,000
rows), leaves each upload in /tmp, reads any file of /tmp named by the confirmation form,
and reports success for a confirmation that was rolled back. Here, before anything is
parsed: `portal.lib.uploads` checks (type, size, zip bomb, UTF-8 with the line at fault), the
separator of a CSV, and a row cap (`IMPORT_MAX_ROWS`). A file of more than
`IMPORT_TASK_THRESHOLD` rows skips the in-request preview: it is imported by the background
worker, all or nothing, and the agent follows it on its job page (portal.lib.background_import,
structures.background_import).
Uploads live in a private folder under random names bound to the agent's session, and are
removed once refused or confirmed (an abandoned preview is removed after a day).
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import tempfile
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.signals import post_import
from import_export.tmp_storages import TempFolderStorage

from portal.lib import background_import
from portal.lib.uploads import read_text, validate_upload

FOLDER_NAME = "portail-imports-structures"
KEEP_SECONDS = 24 * 3600
SESSION_KEY = "structures_imports"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SEPARATORS = (",", ";", "\t")
EXPIRED = "Aperçu expiré ou invalide : déposez le fichier à nouveau."
CHANGED = "Les données ont changé depuis l'aperçu : relancez l'import. Rien n'a été enregistré."


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / FOLDER_NAME
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def purge_abandoned(folder: Path) -> None:
    """Previews never confirmed: their files go after a day."""
    limit = time.time() - KEEP_SECONDS
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            continue


class PrivateTempStorage(TempFolderStorage):
    """The preview's file, in a private folder under a random name that is the only key.

    A name that is not one of ours (a path, another file of /tmp) is never opened.
    """

    def save(self, data):
        folder = _folder()
        purge_abandoned(folder)
        self.name = secrets.token_urlsafe(24)
        fd = os.open(folder / self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data.encode(self.encoding or "utf-8") if isinstance(data, str) else data)

    def read(self):
        if "b" in self.read_mode:
            return self._path().read_bytes()
        return self._path().read_text(encoding=self.encoding or "utf-8-sig")

    def remove(self):
        if self.name and _TOKEN.fullmatch(self.name):
            self._path().unlink(missing_ok=True)

    def get_full_path(self):
        return str(self._path())

    def _path(self) -> Path:
        if not (self.name and _TOKEN.fullmatch(self.name)):
            raise FileNotFoundError(self.name)
        return _folder() / self.name


def detect_separator(text: str) -> str:
    """The separator of the header line: French Excel writes « ; », others « , »."""
    header = text.split("\n", 1)[0]
    return max(SEPARATORS, key=header.count) if any(s in header for s in SEPARATORS) else ","


class ImportCSV(CSV):
    """CSV read with the separator its header uses."""

    def create_dataset(self, in_stream, **kwargs):
        text = in_stream.decode("utf-8-sig") if isinstance(in_stream, bytes) else in_stream
        kwargs.setdefault("delimiter", detect_separator(text))
        return super().create_dataset(text, **kwargs)


def _too_many(limit: int) -> ValidationError:
    return ValidationError(
        "Le fichier compte plus de %(max)s lignes : au-delà de %(max)s lignes, découpez le "
        "fichier en plusieurs imports.",
        code="trop_de_lignes",
        params={"max": limit},
    )


def _count_csv_rows(text: str, limit: int) -> int:
    rows = 0
    reader = csv.reader(io.StringIO(text), delimiter=detect_separator(text))
    next(reader, None)  # header
    for row in reader:
        if any(cell.strip() for cell in row):
            rows += 1
            if rows > limit:
                raise _too_many(limit)
    return rows


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _active_sheet(archive: zipfile.ZipFile) -> str:
    """Path of the sheet an import reads (the workbook's active one)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    view = workbook.find(f"{_MAIN}bookViews/{_MAIN}workbookView")
    active = int(view.get("activeTab", "0")) if view is not None else 0
    sheets = workbook.findall(f"{_MAIN}sheets/{_MAIN}sheet")
    rel_id = sheets[min(active, len(sheets) - 1)].get(f"{_REL}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(
        r.get("Target") for r in rels.iter(f"{_PKG_REL}Relationship") if r.get("Id") == rel_id
    )
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _count_xlsx_rows(fichier, limit: int) -> int:
    """Data rows of the sheet an import reads, streamed from its XML and stopped past the
    cap (openpyxl would build every cell of a zip bomb first)."""
    fichier.seek(0)
    try:
        archive = zipfile.ZipFile(fichier)
        with archive, archive.open(_active_sheet(archive)) as sheet:
            rows = -1  # the header
            for _, element in ElementTree.iterparse(sheet):
                if element.tag != f"{_MAIN}row":
                    continue
                if any((node.text or "").strip() for node in element.iter()):
                    rows += 1
                    if rows > limit:
                        raise _too_many(limit)
                element.clear()
            return max(rows, 0)
    except (
        KeyError,
        IndexError,
        StopIteration,
        ValueError,
        zipfile.BadZipFile,
        ElementTree.ParseError,
    ) as error:
        raise ValidationError(
            "Ce fichier n'est pas un classeur Excel (.xlsx) valide.", code="contenu_invalide"
        ) from error
    finally:
        fichier.seek(0)


class CheckedImportForm(ImportForm):
    """The upload step: nothing reaches the parser unless these checks pass."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats
        self.rows = 0

    def clean(self):
        data = super().clean()
        fichier, index = data.get("import_file"), data.get("format")
        if fichier is None or index in (None, ""):
            return data
        wanted = self.formats[int(index)]()
        try:
            extension = validate_upload(fichier, ["csv", "xlsx"])
            if extension != wanted.get_extension():
                raise ValidationError(
                    "Le fichier est un .%(ext)s mais le format choisi est %(format)s : "
                    "choisissez le format du fichier.",
                    code="format_incoherent",
                    params={"ext": extension, "format": wanted.get_title().upper()},
                )
            if extension == "csv":
                rows = _count_csv_rows(read_text(fichier), max_rows())
            else:
                rows = _count_xlsx_rows(fichier, max_rows())
            self.rows = rows
            if rows == 0:
                raise ValidationError(
                    "Le fichier ne contient aucune ligne à importer sous ses en-têtes.",
                    code="fichier_vide",
                )
        except ValidationError as error:
            self.add_error("import_file", error)
        finally:
            fichier.seek(0)
        return data


class CheckedConfirmImportForm(ConfirmImportForm):
    """The confirmation's hidden fields, as the preview wrote them or refused."""

    def __init__(self, *args, formats=(), resources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.formats, self.resources = formats, resources

    def clean_import_file_name(self):
        name = self.cleaned_data["import_file_name"]
        if not _TOKEN.fullmatch(name):
            raise ValidationError(EXPIRED, code="apercu_invalide")
        return name

    def clean_original_file_name(self):
        name = self.cleaned_data["original_file_name"]
        if _CONTROL.search(name) or len(name) > 255:
            raise ValidationError(EXPIRED, code="apercu_invalide")
        return name

    def clean_format(self):
        return self._index("format", self.formats, required=True)

    def clean_resource(self):
        return self._index("resource", self.resources, required=False)

    def _index(self, field, choices, required):
        value = self.cleaned_data[field]
        if value in ("", None) and not required:
            return value
        if not (str(value).isdigit() and int(value) < len(choices)):
            raise ValidationError(EXPIRED, code="apercu_invalide")
        return value


class _Changed(Exception):
    def __init__(self, result):
        super().__init__("import rolled back")
        self.result = result


class CheckedImportMixin:
    """For ImportExportModelAdmin: checked uploads, private temp files, all-or-nothing."""

    import_formats = [ImportCSV, XLSX]
    import_form_class = CheckedImportForm
    confirm_form_class = CheckedConfirmImportForm
    tmp_storage_class = PrivateTempStorage

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        kwargs["formats"] = self.get_import_formats()
        kwargs["resources"] = self.get_import_resource_classes(request)
        return kwargs

    def create_import_form(self, request):
        form = super().create_import_form(request)
        request._portal_import_form = form
        return form

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error(
            "import_file",
            ValidationError(
                "Le fichier n'a pas pu être lu : vérifiez que le format choisi est le sien.",
                code="illisible",
            ),
        )

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid() and form.rows > background_import.threshold():
                return self._import_in_background(request, form)
        stored = None
        try:
            response = super().import_action(request, **kwargs)
            form = getattr(request, "_portal_import_form", None)
            upload = form.cleaned_data.get("import_file") if form and form.is_bound else None
            stored = getattr(upload, "tmp_storage_name", None)
            if stored and "confirm_form" in (getattr(response, "context_data", None) or {}):
                previews = request.session.get(SESSION_KEY, [])[-9:]
                request.session[SESSION_KEY] = [*previews, stored]
                stored = None  # kept for the confirmation
            return response
        finally:
            if stored:
                PrivateTempStorage(name=stored).remove()

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return self._import_refused(request, EXPIRED, status=400)
        name = form.cleaned_data["import_file_name"]
        previews = request.session.get(SESSION_KEY, [])
        if name not in previews:
            return self._import_refused(request, EXPIRED, status=400)
        request.session[SESSION_KEY] = [p for p in previews if p != name]
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])](
            encoding=self.from_encoding
        )
        storage = self.get_tmp_storage_class()(
            name=name,
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
        )
        try:
            try:
                dataset = input_format.create_dataset(storage.read())
            except FileNotFoundError:
                return self._import_refused(request, EXPIRED, status=400)
            try:
                # One transaction: rows and their log entries, or nothing at all.
                with transaction.atomic():
                    result = self.process_dataset(dataset, form, request, **kwargs)
                    if result.has_errors() or result.has_validation_errors():
                        raise _Changed(result)
                    self.generate_log_entries(result, request)
            except _Changed as changed:
                return self._import_refused(request, CHANGED, status=409, result=changed.result)
        finally:
            storage.remove()
        self.add_success_message(result, request)
        post_import.send(sender=None, model=self.model)
        app_label, model_name = self.get_model_info()
        url = reverse(
            f"admin:{app_label}_{model_name}_changelist", current_app=self.admin_site.name
        )
        return HttpResponseRedirect(url)

    def _import_in_background(self, request, form):
        upload = form.cleaned_data["import_file"]
        upload.seek(0)
        job = background_import.create_job(
            user=request.user,
            model=self.model,
            file_name=upload.name,
            content=upload.read(),
            rows=form.rows,
            parametres={"format": int(form.cleaned_data["format"])},
        )
        messages.info(
            request,
            f"Le fichier compte {form.rows} lignes : il est importé en arrière-plan, tout ou "
            "rien. Cette page montre son avancement.",
        )
        return HttpResponseRedirect(reverse("admin:portal_importentache_change", args=[job.pk]))

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            f"Import terminé : {totals['new']} nouveau(x), {totals['update']} modifié(s), "
            f"{totals['skip']} inchangé(s).",
        )

    def _import_refused(self, request, message, status, result=None):
        """The upload page again, with the reason (and the rows at fault, if any)."""
        messages.error(request, message)
        form = self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request)
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Importer",
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "result": result,
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context, status=status)
