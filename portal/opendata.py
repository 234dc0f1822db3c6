"""What the open data publishes, and how: licence, caching headers, serializers.

Published structures go out one by one (GeoJSON, CSV) — without address. Supported
professionals are personal data: they only go out as counts by commune and profession,
count and amount hidden below `SECRET_THRESHOLD` people (statistical secret, portal.lib.secret).
Field lists are explicit: a new model field never leaks into an export by default.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Max, Subquery, Sum
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

from aides.models import Aide
from aides.montants import format_montant
from portal.lib import secret
from portal.models import DataVersion
from structures.models import PresenceProfessionnelle, ProfessionnelSoutenu, Structure
from structures.stats import amount
from territoires.maps import COORD_DECIMALS
from territoires.models import Profession

LICENCE = {
    "nom": "Licence Ouverte / Open Licence version 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
LICENCE_LINK = f'<{LICENCE["url"]}>; rel="license"; title="{LICENCE["nom"]}"'
# Downloads and API: clients revalidate (ETag / Last-Modified) after 5 minutes.
MAX_AGE = 300
OPEN_DATA_PREFIXES = ("/api/v1/", "/donnees/", "/bilan/")
SECRET_THRESHOLD = secret.threshold()  # kept for the pages that quote it

STRUCTURE_COLUMNS = [
    "id", "nom", "type", "type_libelle", "statut", "statut_libelle", "commune_code",
    "commune_nom", "departement", "region", "latitude", "longitude", "aides", "aides_noms",
    "montant_accorde", "date_decision", "annee", "en_qpv", "qpv_code", "qpv_nom",
    "en_zone_rurale", "professionnels", "demonstration",
]  # fmt: skip
PROFESSIONNELS_COLUMNS = [
    "commune_code", "commune_nom", "departement", "region", "profession",
    "profession_libelle", "nombre", "montant",
]  # fmt: skip
AIDE_COLUMNS = [
    "slug", "nom", "sigle", "resume", "forme", "publics", "professions", "types_structure",
    "etapes", "financeurs", "regions", "departements", "communes", "montant",
    "nature_montant", "montant_min", "montant_max", "date_ouverture", "date_cloture",
    "statut", "url_officielle", "source_juridique", "verifie_le", "url", "demonstration",
]  # fmt: skip


class OpenDataMiddleware:
    """Licence link, public caching and ETag (304) on API answers and data downloads.

    HTML pages are left alone: they carry a per-request CSP nonce and must not be cached
    by shared caches. Views add Last-Modified themselves (see `last_modified`).
    """

    def __init__(self, get_response):
        from django.middleware.http import ConditionalGetMiddleware

        self.get_response = get_response
        self.conditional = ConditionalGetMiddleware(get_response)

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(OPEN_DATA_PREFIXES):
            return response
        if response.get("Content-Type", "").startswith("text/html"):
            return response
        response.headers.setdefault("Link", LICENCE_LINK)
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
            return self.conditional.process_response(request, response)
        return response


def text_bad_request(messages) -> HttpResponse:
    """400 for a download link with bad parameters: a French message, as plain text."""
    text = "Paramètres invalides :\n" + "\n".join(f"- {m}" for m in messages) + "\n"
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def last_modified(*querysets):
    """Last change to the public data, never earlier than a previous answer (1 query).

    The data version (portal.dataversion) moves forward on every change, deletions
    included; the newest `modifie_le` of the querysets (all rows: unpublishing is a change
    too) covers writes made without signals.
    """
    newest = {
        f"q{i}": Subquery(queryset.order_by("-modifie_le").values("modifie_le")[:1])
        for i, queryset in enumerate(querysets)
    }
    row = DataVersion.objects.filter(pk=1).annotate(**newest).values("modifie_le", *newest)
    row = row.first()
    if row is None:  # no version row (a flushed test database): the rows alone
        row = {key: queryset.aggregate(maj=Max("modifie_le"))["maj"] for key, queryset in
               zip(newest, querysets, strict=True)}  # fmt: skip
    dates = [value for value in row.values() if value is not None]
    return max(dates) if dates else None


def structures_modified(request, *args, **kwargs):
    return last_modified(Structure.objects.all())


def bilan_modified(request, *args, **kwargs):
    return last_modified(Structure.objects.all(), ProfessionnelSoutenu.objects.all())


def aides_modified(request, *args, **kwargs):
    return last_modified(Aide.objects.all())


def http_last_modified(value) -> str | None:
    return http_date(value.timestamp()) if value else None


# --- Structures ---------------------------------------------------------------------------


def _coordinate(value):
    return round(value, COORD_DECIMALS) if value is not None else None


def structure_records(queryset) -> list[dict]:
    """Flat public records of published structures, in a stable order (3 queries)."""
    rows = list(
        queryset.order_by("pk").values(
            "pk",
            "nom",
            "type",
            "statut",
            "commune__code",
            "commune__nom",
            "departement__code",
            "region__code",
            "latitude",
            "longitude",
            "montant_accorde",
            "date_decision",
            "en_qpv",
            "qpv_code",
            "qpv_nom",
            "en_zone_rurale",
            "demonstration",
        )
    )
    ids = queryset.values("pk")  # a subquery: no parameter limit
    aides = defaultdict(list)
    through = Structure.aides.through.objects.filter(structure_id__in=ids)
    for pk, slug, nom in through.order_by("aide__nom").values_list(
        "structure_id", "aide__slug", "aide__nom"
    ):
        aides[pk].append((slug, nom))
    presences = defaultdict(dict)
    for pk, profession, nombre in (
        PresenceProfessionnelle.objects.filter(structure_id__in=ids)
        .order_by("profession")
        .values_list("structure_id", "profession", "nombre")
    ):
        presences[pk][profession] = nombre
    kinds = dict(Structure._meta.get_field("type").choices)
    statuts = dict(Structure._meta.get_field("statut").choices)
    return [
        {
            "id": row["pk"],
            "nom": row["nom"],
            "type": row["type"],
            "type_libelle": kinds.get(row["type"], row["type"]),
            "statut": row["statut"],
            "statut_libelle": statuts.get(row["statut"], row["statut"]),
            "commune_code": row["commune__code"],
            "commune_nom": row["commune__nom"],
            "departement": row["departement__code"],
            "region": row["region__code"],
            "latitude": _coordinate(row["latitude"]),
            "longitude": _coordinate(row["longitude"]),
            "aides": [slug for slug, _ in aides[row["pk"]]],
            "aides_noms": [nom for _, nom in aides[row["pk"]]],
            "montant_accorde": amount(row["montant_accorde"])
            if row["montant_accorde"] is not None
            else None,
            "date_decision": row["date_decision"].isoformat() if row["date_decision"] else None,
            "annee": row["date_decision"].year if row["date_decision"] else None,
            "en_qpv": row["en_qpv"],
            "qpv_code": row["qpv_code"] or None,
            "qpv_nom": row["qpv_nom"] or None,
            "en_zone_rurale": row["en_zone_rurale"],
            "professionnels": presences[row["pk"]],
            "demonstration": row["demonstration"],
        }
        for row in rows
    ]


def as_feature(record: dict) -> dict:
    properties = {k: v for k, v in record.items() if k not in ("latitude", "longitude")}
    geometry = None
    if record["latitude"] is not None and record["longitude"] is not None:
        geometry = {"type": "Point", "coordinates": [record["longitude"], record["latitude"]]}
    return {"type": "Feature", "id": record["id"], "geometry": geometry, "properties": properties}


def feature_collection(records: list[dict], modified=None) -> dict:
    return {
        "type": "FeatureCollection",
        "licence": LICENCE,
        "mise_a_jour": modified.isoformat() if modified else None,
        "nombre": len(records),
        "features": [as_feature(record) for record in records],
    }


def structure_csv_rows(records: list[dict]):
    for record in records:
        row = dict(record)
        row["aides"] = "; ".join(record["aides"])
        row["aides_noms"] = "; ".join(record["aides_noms"])
        row["professionnels"] = "; ".join(f"{k}:{v}" for k, v in record["professionnels"].items())
        yield [row[column] for column in STRUCTURE_COLUMNS]


# --- Professionals: aggregates only -------------------------------------------------------


def professionnels_par_commune(queryset=None):
    """Rows (PROFESSIONNELS_COLUMNS) of published professionals by commune and profession.

    Count and amount are hidden together under the statistical secret (portal.lib.secret),
    consistently with the bilan: each région × profession and each département is a line
    whose total the bilan publishes, and a total the bilan hides is not the sum of visible
    rows here.
    """
    queryset = ProfessionnelSoutenu.objects.published() if queryset is None else queryset
    labels = dict(Profession.choices)
    rows = list(
        queryset.order_by()
        .values("commune__code", "commune__nom", "departement__code", "region__code", "profession")
        .annotate(nombre=Count("pk"), montant=Sum("montant"))
        .order_by("commune__code", "profession")
    )
    hidden = secret_cells(rows)
    for index, row in enumerate(rows):
        masked = index in hidden
        yield [
            row["commune__code"], row["commune__nom"], row["departement__code"],
            row["region__code"], row["profession"], labels.get(row["profession"]),
            None if masked else row["nombre"],
            None if masked else (row["montant"] or Decimal(0)),
        ]  # fmt: skip


def secret_cells(rows) -> set[int]:
    """Indexes of the commune rows to hide (portal.lib.secret), lines linked to the bilan's."""

    def by_profession(i):
        return (rows[i]["region__code"], rows[i]["profession"])

    def by_departement(i):
        return (rows[i]["region__code"], rows[i]["departement__code"])

    forced = set()
    for line, key in enumerate((by_profession, by_departement)):
        marginals = defaultdict(int)
        for i, row in enumerate(rows):
            marginals[key(i)] += row["nombre"]
        # The bilan of each région: one line per région (its total is published).
        for cell in secret.protect_lines(marginals, [lambda cell: cell[0]]):
            forced.add((line, cell))
    counts = {i: row["nombre"] for i, row in enumerate(rows)}
    return secret.protect_lines(counts, [by_profession, by_departement], forced)


# --- Aid catalogue ------------------------------------------------------------------------


def aide_records(request=None) -> list[dict]:
    """The published catalogue, one flat record per aid (constant number of queries)."""
    queryset = (
        Aide.objects.published()
        .prefetch_related("financeurs", "regions", "departements", "communes")
        .order_by("nom")
    )
    records = []
    for aide in queryset:
        url = aide.get_absolute_url()
        records.append(
            {
                "slug": aide.slug,
                "nom": aide.nom,
                "sigle": aide.sigle or None,
                "resume": aide.resume,
                "forme": aide.forme,
                "publics": list(aide.publics),
                "professions": list(aide.professions),
                "types_structure": list(aide.types_structure),
                "etapes": list(aide.etapes),
                "financeurs": [f.nom for f in aide.financeurs.all()],
                "regions": sorted(r.code for r in aide.regions.all()),
                "departements": sorted(d.code for d in aide.departements.all()),
                "communes": sorted(c.code for c in aide.communes.all()),
                "montant": format_montant(aide) or None,
                "nature_montant": aide.nature_montant,
                "montant_min": aide.montant_min,
                "montant_max": aide.montant_max,
                "date_ouverture": _iso(aide.date_ouverture),
                "date_cloture": _iso(aide.date_cloture),
                "statut": aide.statut,
                "url_officielle": aide.url_officielle or None,
                "source_juridique": aide.source_juridique or None,
                "verifie_le": _iso(aide.verifie_le),
                "url": request.build_absolute_uri(url) if request is not None else url,
                "demonstration": aide.demonstration,
            }
        )
    return records


def aide_csv_rows(records: list[dict]):
    for record in records:
        yield [
            "; ".join(value) if isinstance(value, list) else value
            for value in (record[column] for column in AIDE_COLUMNS)
        ]


def _iso(value):
    return value.isoformat() if value else None
