"""The agents' view of their large imports: progress, outcome, the rows at fault, a rerun.

Read-only: a job is created by the import page and changed only by the worker. An agent sees
the jobs they started, for the data they may still import; a superuser sees every job.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from portal.lib import background_import
from portal.models import ImportEnTache


@admin.register(ImportEnTache)
class ImportEnTacheAdmin(admin.ModelAdmin):
    list_display = ["nom_fichier", "donnees", "agent", "etat", "avancement", "cree_le"]
    list_filter = ["statut"]
    fields = ["nom_fichier", "donnees", "agent", "etat", "avancement", "message", "cree_le",
              "debut", "fin"]  # fmt: skip
    readonly_fields = fields
    change_form_template = "admin/portal/importentache/change_form.html"
    list_select_related = ["agent"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("contenu")
        if request.user.is_superuser:
            return queryset
        allowed = [
            model._meta.label_lower
            for model in background_import.registered_models()
            if background_import.may_import(request.user, model)
        ]
        return queryset.filter(agent=request.user, modele__in=allowed)

    # --- Permissions: those of importing, not Django's per-model ones -------------------

    def has_view_permission(self, request, obj=None):
        user = request.user
        if obj is not None:
            return user.is_superuser or (
                obj.agent_id == user.pk
                and background_import.may_import(user, background_import.model_of(obj))
            )
        return user.is_superuser or any(
            background_import.may_import(user, model)
            for model in background_import.registered_models()
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- Display -------------------------------------------------------------------------

    @admin.display(description="données")
    def donnees(self, job):
        return job.donnees

    @admin.display(description="état")
    def etat(self, job):
        state = background_import.progress(job)
        if state["interrompu"]:
            return "Interrompu"
        return "En cours" if state["en_cours"] else job.get_statut_display()

    @admin.display(description="avancement")
    def avancement(self, job):
        state = background_import.progress(job)
        return format_html("{} / {} lignes", state["faites"], state["total"])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job_or_404(request, object_id)
        state = background_import.progress(job)
        extra = {
            "job": job,
            "interrompu_message": background_import.INTERRUPTED if state["interrompu"] else "",
            "erreurs": job.erreurs,
            "relancer": background_import.can_rerun(job),
            "en_cours": job.statut == "en_attente" and not state["interrompu"],
            "avancement": state,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra)

    # --- Rerun ---------------------------------------------------------------------------

    def get_urls(self):
        rerun = self.admin_site.admin_view(require_POST(self.rerun_view))
        return [
            path("<path:object_id>/relancer/", rerun, name="portal_importentache_relancer"),
            *super().get_urls(),
        ]

    def rerun_view(self, request, object_id):
        job = self._job_or_404(request, object_id)
        if background_import.rerun(job):
            messages.success(request, "Import relancé : il reprend depuis la première ligne.")
        else:
            messages.error(
                request, "Cet import ne peut pas être relancé : il est terminé ou encore en cours."
            )
        return HttpResponseRedirect(reverse("admin:portal_importentache_change", args=[job.pk]))

    def _job_or_404(self, request, object_id):
        job = self.get_object(request, unquote(object_id))
        if job is None:
            raise Http404("Cet import n'existe pas ou n'est pas le vôtre.")
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        return job
