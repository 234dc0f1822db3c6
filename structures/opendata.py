"""The open data of the supported structures and professionals: columns and serializers.

Published structures go out one by one (GeoJSON, CSV) — without address. Supported
professionals are personal data: they only go out as counts by commune and profession,
count and amount hidden below `SECRET_THRESHOLD` people (statistical secret, portal.lib.secret).
Field lists are explicit: a new model field never leaks into an export by default.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from portal.lib import secret
from portal.lib.opendata import LICENCE, last_modified
from structures.models import PresenceProfessionnelle, ProfessionnelSoutenu, Structure
from structures.stats import amount
from territoires.maps import COORD_DECIMALS
from territoires.models import Profession

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


def structures_modified(request, *args, **kwargs):
    return last_modified(Structure.objects.all())


def bilan_modified(request, *args, **kwargs):
    return last_modified(Structure.objects.all(), ProfessionnelSoutenu.objects.all())


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
