"""Commune autocomplete narrowed to the agent's scope.

The admin's site-wide autocomplete would suggest every commune; the form would then refuse
those outside the scope. Suggesting only allowed communes spares agents that dead end.
(The refusal itself stays in the form: this is convenience, not the security boundary.)
"""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse

from ..access import perimetre_of

URL_NAME = "structures_communes_autocomplete"


class ScopedCommuneAutocompleteView(AutocompleteJsonView):
    def process_request(self, request):
        term, *rest = super().process_request(request)
        return (term.replace("\x00", ""), *rest)  # PostgreSQL refuses NUL in text

    def get_queryset(self):
        return super().get_queryset().filter(perimetre_of(self.request.user).q())


class ScopedCommuneAutocomplete(AutocompleteSelect):
    def get_url(self):
        return reverse(f"{self.admin_site.name}:{URL_NAME}")
