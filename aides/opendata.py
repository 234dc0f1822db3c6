"""The open data of the aid catalogue: columns and serializers of the published aids.

Field lists are explicit: a new model field never leaks into an export by default.
"""

from __future__ import annotations

from aides.models import Aide
from aides.montants import format_montant
from portal.lib.opendata import last_modified

AIDE_COLUMNS = [
    "slug", "nom", "sigle", "resume", "forme", "publics", "professions", "types_structure",
    "etapes", "financeurs", "regions", "departements", "communes", "montant",
    "nature_montant", "montant_min", "montant_max", "date_ouverture", "date_cloture",
    "statut", "url_officielle", "source_juridique", "verifie_le", "url", "demonstration",
]  # fmt: skip


def aides_modified(request, *args, **kwargs):
    return last_modified(Aide.objects.all())


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
