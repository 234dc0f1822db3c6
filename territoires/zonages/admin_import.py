"""Admin journey "import a zoning": upload → preview (the dry run, with every error) → confirm.

The uploaded file is kept between the two steps in a private temporary folder under a
random token remembered in the agent's session; confirming re-reads and re-checks it, so
what is written is exactly what the preview showed unless the database changed meanwhile.
An act of more than IMPORT_TASK_THRESHOLD territories (a region's annex, a national file) is
written by the background worker once confirmed (portal.lib.background_import): the agent
follows it on its job page, all or nothing.
"""

import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from portal.lib import background_import
from portal.lib.uploads import read_geojson, validate_upload
from territoires.importers.qpv import DATE_2024, DEBUT_2024, import_qpv, qpv_spec
from territoires.models import Profession, Region, Zonage, ZonageKind
from territoires.zonages.importers.acte import import_annex
from territoires.zonages.importers.options import make_spec

SESSION_KEY = "zonage_import"
KEEP_SECONDS = 24 * 3600


class ImportZonageForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier",
        help_text="Annexe CSV ou XLSX (une ligne par code INSEE, arrondissement ou IRIS, avec "
        "la catégorie) ; GeoJSON de l'ANCT pour les QPV. CSV : séparateur ; ou , ; "
        "encodage UTF-8 ou Windows-1252.",
    )
    kind = forms.ChoiceField(label="Nature", choices=ZonageKind.choices)
    profession = forms.ChoiceField(
        label="Profession", choices=[("", "—"), *Profession.choices], required=False
    )
    region = forms.ModelChoiceField(
        label="Région",
        queryset=Region.objects.order_by("nom"),
        required=False,
        to_field_name="code",
    )
    date_acte = forms.DateField(
        label="Date de l'acte", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valide_du = forms.DateField(
        label="En vigueur du", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Par défaut : la date de l'acte.",
    )  # fmt: skip
    valide_au = forms.DateField(
        label="En vigueur jusqu'au", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    url = forms.URLField(
        label="Adresse de l'acte publié", required=False, max_length=500, assume_scheme="https"
    )
    titre = forms.CharField(label="Titre de l'acte", required=False, max_length=300)
    editeur = forms.CharField(label="Éditeur", required=False, max_length=100)
    categories = forms.CharField(
        label="Ordre des catégories", required=False,
        help_text="Facultatif : libellés séparés par des virgules, dans l'ordre de l'acte.",
    )  # fmt: skip
    categorie_par_defaut = forms.CharField(
        label="Catégorie par défaut", required=False,
        help_text="Pour une simple liste de communes (zones rurales…).",
    )  # fmt: skip
    demonstration = forms.BooleanField(label="Données de démonstration", required=False)

    def clean(self):
        data = super().clean()
        kind, fichier = data.get("kind"), data.get("fichier")
        if fichier is not None and kind:
            allowed = ["geojson", "json"] if kind == ZonageKind.QPV else ["csv", "xlsx"]
            try:
                validate_upload(fichier, allowed)
            except ValidationError as error:
                self.add_error("fichier", error)
        if kind == ZonageKind.ARS:
            if not data.get("url") and not data.get("demonstration"):
                self.add_error(
                    "url",
                    ValidationError(
                        "L'adresse de l'acte publié est obligatoire.", code="url_obligatoire"
                    ),
                )
            if not data.get("date_acte"):
                self.add_error(
                    "date_acte",
                    ValidationError("La date de l'acte est obligatoire.", code="date_obligatoire"),
                )
        return data

    def spec(self):
        """(ActeSpec, errors) from the cleaned data."""
        data = self.cleaned_data
        region = data.get("region")
        if data["kind"] == ZonageKind.QPV:
            return qpv_spec(
                region,
                titre=data["titre"],
                url=data["url"],
                editeur=data["editeur"],
                date_acte=data["date_acte"] or DATE_2024,
                valide_du=data["valide_du"] or (None if data["date_acte"] else DEBUT_2024),
                valide_au=data["valide_au"],
                demonstration=data["demonstration"],
            ), []
        return make_spec(
            kind=data["kind"],
            profession=data["profession"],
            region_code=region.code if region else "",
            arrete_date=data["date_acte"],
            source_url=data["url"],
            titre=data["titre"],
            editeur=data["editeur"],
            valide_du=data["valide_du"],
            valide_au=data["valide_au"],
            demonstration=data["demonstration"],
        )


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "portail-imports-zonage"
    folder.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in folder.iterdir():
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _run(form, content, filename, *, dry_run, user):
    spec, errors = form.spec()
    if errors:
        return None, errors
    data = form.cleaned_data
    if data["kind"] == ZonageKind.QPV:
        try:
            features = read_geojson(_upload(content, filename)).get("features", [])
        except ValidationError as error:
            return None, list(error.messages)
        result = import_qpv(features, spec, dry_run=dry_run, user=user, source=filename)
    else:
        result = import_annex(
            content,
            filename,
            spec,
            dry_run=dry_run,
            user=user,
            ordre_categories=[c for c in data["categories"].split(",") if c.strip()],
            default_categorie=data["categorie_par_defaut"],
        )
    return result, result.error_lines()


def import_view(model_admin):
    def view(request):
        if not (
            model_admin.has_add_permission(request) and model_admin.has_change_permission(request)
        ):
            raise PermissionDenied
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": "Importer un zonage",
        }
        stored = request.session.get(SESSION_KEY)
        if request.method == "POST" and request.POST.get("action") == "confirmer":
            return _confirm(request, stored, context)
        form = ImportZonageForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            fichier = form.cleaned_data["fichier"]
            content = b"".join(fichier.chunks())
            result, errors = _run(form, content, fichier.name, dry_run=True, user=request.user)
            context.update(result=result, errors=errors)
            if not errors:
                token = secrets.token_urlsafe(24)
                (_folder() / token).write_bytes(content)
                post = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
                request.session[SESSION_KEY] = {
                    "token": token,
                    "filename": fichier.name,
                    "post": post,
                    "lignes": _territories(result),
                }
                context["token"] = token
        context["form"] = form
        return TemplateResponse(request, "admin/territoires/zonage/import.html", context)

    return view


def _confirm(request, stored, context):
    back = reverse("admin:territoires_zonage_import")
    if not stored or request.POST.get("token") != stored.get("token"):
        messages.error(request, "Aperçu expiré ou introuvable : déposez le fichier à nouveau.")
        return redirect(back)
    path = _folder() / stored["token"]
    if not path.is_file():
        messages.error(request, "Fichier de l'aperçu introuvable : déposez-le à nouveau.")
        return redirect(back)
    content = path.read_bytes()
    form = ImportZonageForm(stored["post"], {"fichier": _upload(content, stored["filename"])})
    if not form.is_valid():
        messages.error(request, "Les paramètres de l'import ne sont plus valides.")
        return redirect(back)
    rows = stored.get("lignes", 0)
    if rows > background_import.threshold():
        job = background_import.create_job(
            user=request.user, model=Zonage, file_name=stored["filename"], content=content,
            rows=rows, parametres={"post": stored["post"]},
        )  # fmt: skip
        path.unlink(missing_ok=True)
        del request.session[SESSION_KEY]
        messages.info(
            request,
            f"L'acte compte {rows} territoires : il est écrit en arrière-plan, tout ou rien. "
            "Cette page montre son avancement.",
        )
        return redirect("admin:portal_importentache_change", job.pk)
    result, errors = _run(form, content, stored["filename"], dry_run=False, user=request.user)
    path.unlink(missing_ok=True)
    del request.session[SESSION_KEY]
    if errors:
        context.update(form=form, result=result, errors=errors)
        return TemplateResponse(request, "admin/territoires/zonage/import.html", context)
    if result.plan.has_changes:
        messages.success(request, f"Zonage importé : « {result.zonage.titre} ».")
    else:
        messages.info(request, "Aucun changement : le zonage était déjà à jour.")
    return redirect("admin:territoires_zonage_change", result.zonage.pk)


def _upload(content, name):
    return SimpleUploadedFile(name, content)


def _territories(result) -> int:
    """Territories the act will list: what its import writes, row by row."""
    plan = result.plan
    return plan.added + plan.moved + plan.unchanged if plan else 0


def import_in_background(job, on_row) -> str:
    """The worker's runner (portal.lib.background_import): the confirmed preview, written."""
    content = bytes(job.contenu)
    form = ImportZonageForm(job.parametres["post"], {"fichier": _upload(content, job.nom_fichier)})
    if not form.is_valid():
        raise background_import.Refused(
            [{"ligne": "", "message": "Les paramètres de l'import ne sont plus valides."}]
        )
    result, errors = _run(form, content, job.nom_fichier, dry_run=False, user=job.agent)
    if errors:
        raise background_import.Refused([{"ligne": "", "message": error} for error in errors])
    on_row(job.lignes)
    if not result.plan.has_changes:
        return "Aucun changement : le zonage était déjà à jour."
    return f"Zonage importé : « {result.zonage.titre} »."
