"""Commune autocomplete narrowed to the agent's scope.

The admin's site-wide autocomplete would suggest every commune; the form would then refuse
those outside the scope. Suggesting only allowed communes spares agents that dead end.
(The refusal itself stays in the form: this is convenience, not the security boundary.)
"""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from structures.access import perimetre_of
from structures.models import ProfessionnelSoutenu, Structure
from territoires.models import Commune

URL_NAME = "structures_communes_autocomplete"


class ScopedCommuneAutocompleteView(AutocompleteJsonView):
    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        # The scope filter below only makes sense on communes, asked for by the two scoped
        # forms; any other source (an aid, a région, another app) is refused like Django does.
        if source_field.model not in (Structure, ProfessionnelSoutenu) or (
            source_field.remote_field.model is not Commune
        ):
            raise PermissionDenied
        # PostgreSQL refuses NUL in text
        return term.replace("\x00", ""), model_admin, source_field, to_field_name

    def get_queryset(self):
        return super().get_queryset().filter(perimetre_of(self.request.user).q())


class ScopedCommuneAutocomplete(AutocompleteSelect):
    def get_url(self):
        return reverse(f"{self.admin_site.name}:{URL_NAME}")
