"""The finder's search: one FilterSet for the page and the API.

Database filters (profession, stage, public, financer, form, date) narrow the catalogue;
the place (commune, point or address) is resolved in `clean()` and judged in Python by
`aides.eligibility`. A malformed value never fails the whole search: `FinderSearch`
drops it, keeps the rest, and reports a French message.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from aides import geocoder
from aides.choices import EtapeProjet, FormeAide, Public
from aides.lieux import resolve_commune
from aides.models import Aide, Financeur
from territoires.models import Profession

SORTS = {
    "pertinence": "Pertinence",
    "montant": "Montant (le plus élevé d'abord)",
    "cloture": "Date de clôture (la plus proche d'abord)",
}
LAT_RANGE = (-90.0, 90.0)
LON_RANGE = (-180.0, 180.0)


class FinderForm(DsfrBaseForm):
    """Place fields and sorting, next to the filters django-filter adds."""

    commune = forms.CharField(
        label="Commune ou code postal",
        required=False,
        max_length=120,
        help_text="Par exemple « Saint-Denis », « 93200 » ou « Provins (77379) ».",
        widget=forms.TextInput(
            attrs={"list": "communes-suggestions", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    adresse = forms.CharField(
        label="Adresse", required=False, max_length=200, help_text="Numéro, rue et commune."
    )
    lat = forms.FloatField(
        label="Latitude", required=False, min_value=LAT_RANGE[0], max_value=LAT_RANGE[1]
    )
    lon = forms.FloatField(
        label="Longitude", required=False, min_value=LON_RANGE[0], max_value=LON_RANGE[1]
    )
    tri = forms.ChoiceField(label="Trier par", required=False, choices=list(SORTS.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not geocoder.enabled():
            del self.fields["adresse"]
        for name in ("lat", "lon"):
            self.fields[name].widget.attrs.update({"step": "any", "inputmode": "decimal"})

    def clean_commune(self):
        value = self.cleaned_data.get("commune")
        return resolve_commune(value) if value else None

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        if (
            (lat is None) != (lon is None)
            and not self.has_error("lat")
            and not self.has_error("lon")
        ):
            raise ValidationError(
                "Indiquez la latitude et la longitude du point, ou aucune des deux.",
                code="point_incomplet",
            )
        if data.get("adresse") and lat is None:
            try:
                found = geocoder.geocode(data["adresse"])
            except geocoder.GeocoderError as exc:
                self.add_error("adresse", ValidationError(str(exc), code="adresse_introuvable"))
            else:
                data["lat"], data["lon"] = found.lat, found.lon
                data["adresse_trouvee"] = found
        return data


class AideFilterSet(django_filters.FilterSet):
    profession = django_filters.ChoiceFilter(
        label="Profession", choices=Profession.choices, method="filter_profession",
        empty_label="Toutes les professions",
    )  # fmt: skip
    etape = django_filters.ChoiceFilter(
        label="Étape du projet", choices=EtapeProjet.choices, method="filter_etape",
        empty_label="Toutes les étapes",
    )  # fmt: skip
    public = django_filters.ChoiceFilter(
        label="Vous êtes", choices=Public.choices, method="filter_public",
        empty_label="Tous les publics",
    )  # fmt: skip
    financeur = django_filters.ModelChoiceFilter(
        label="Financeur", queryset=Financeur.objects.order_by("nom"), to_field_name="slug",
        field_name="financeurs", empty_label="Tous les financeurs",
    )  # fmt: skip
    forme = django_filters.ChoiceFilter(
        label="Forme de l'aide", choices=FormeAide.choices, empty_label="Toutes les formes"
    )
    date = django_filters.DateFilter(
        label="À la date du", method="filter_date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Aides ouvertes et zonages en vigueur ce jour-là. Par défaut, aujourd'hui.",
        error_messages={"invalid": "Saisissez une date réelle au format AAAA-MM-JJ, par "
                        "exemple 2026-12-02."},
    )  # fmt: skip
    fermees = django_filters.BooleanFilter(
        label="Afficher aussi les aides fermées à cette date", method="filter_noop",
        widget=forms.CheckboxInput,
    )  # fmt: skip

    class Meta:
        model = Aide
        fields = ["profession", "etape", "public", "financeur", "forme", "date", "fermees"]
        form = FinderForm

    def filter_profession(self, queryset, name, value):
        return queryset.for_profession(value)

    def filter_etape(self, queryset, name, value):
        return queryset.for_stage(value)

    def filter_public(self, queryset, name, value):
        return queryset.for_public(value)

    def filter_date(self, queryset, name, value):
        return queryset  # applied in filter_queryset, where `fermees` is known

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        # The form also carries the place and the sort order, which are not filters.
        for name, value in self.form.cleaned_data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        if not self.form.cleaned_data.get("fermees"):
            queryset = queryset.open_on(self.search_date)
        return queryset.distinct() if self.form.cleaned_data.get("financeur") else queryset

    @property
    def search_date(self) -> dt.date:
        return self.form.cleaned_data.get("date") or timezone.localdate()


ALLOWED_PARAMS = {
    "commune", "adresse", "lat", "lon", "tri", "profession", "etape", "public", "financeur",
    "forme", "date", "fermees", "page", "format",
}  # fmt: skip


class FinderSearch:
    """A finder query string, validated field by field.

    `notices` lists, in French, what was ignored (unknown parameter, malformed value) so the
    page can say it; `errors` keeps them by field for the API's 400 answer.
    """

    def __init__(self, params, queryset=None):
        self.raw = params
        self.notices: list[str] = []
        self.errors: dict[str, list[str]] = {}
        data = params.copy()
        for key in sorted(set(params) - ALLOWED_PARAMS):
            self.errors.setdefault(key, []).append("Paramètre inconnu.")
            self.notices.append(f"Le paramètre « {key[:40]} » est inconnu : il a été ignoré.")
            data.pop(key)
        if params.get("adresse") and not geocoder.enabled():
            self.errors.setdefault("adresse", []).append("Recherche d'adresse désactivée.")
            self.notices.append(
                "La recherche par adresse n'est pas disponible sur ce site : indiquez la "
                "commune ou choisissez un point sur la carte."
            )
            data.pop("adresse")
        base = queryset if queryset is not None else Aide.objects.published()
        # The base query in the cache keys: the catalogue's, or its SQL (an aid page's).
        self.base_key = "publiees" if queryset is None else str(queryset.query)
        self.filterset = AideFilterSet(data, queryset=base)
        form = self.filterset.form
        # The form shown keeps what was typed and its errors; the search runs without them.
        self.form = form
        self.adresse = None
        if not form.is_valid():
            self.adresse = form.cleaned_data.get("adresse_trouvee")
            if self.adresse is not None:  # geocode once: the rerun gets the point found
                data["lat"], data["lon"] = str(self.adresse.lat), str(self.adresse.lon)
                data.pop("adresse", None)
            for field, messages in form.errors.items():
                label = form.fields[field].label if field in form.fields else None
                for message in messages:
                    self.errors.setdefault(field, []).append(message)
                    self.notices.append(f"{label} : {message}" if label else message)
                data.pop(field, None)
            if "__all__" in form.errors:
                data.pop("lat", None)
                data.pop("lon", None)
            self.filterset = AideFilterSet(data, queryset=base)
            self.filterset.form.is_valid()
        self.cleaned = getattr(self.filterset.form, "cleaned_data", {})
        self.adresse = self.cleaned.get("adresse_trouvee") or self.adresse

    @property
    def queryset(self):
        return self.filterset.qs

    def filters_key(self) -> tuple:
        """What the aids' query is made of, for cache keys: the base query and each
        filter's value (cheaper than compiling the query to SQL)."""
        values = tuple(
            (name, getattr(value, "pk", value))
            for name, value in sorted(self.cleaned.items())
            if name in self.filterset.filters
        )
        return (self.base_key, values, self.date.isoformat())

    @property
    def date(self):
        return self.filterset.search_date

    @property
    def tri(self) -> str:
        return self.cleaned.get("tri") or "pertinence"
