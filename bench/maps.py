"""Size and render time of the public map pages, with the demo data and with 10,000 structures.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py setup_demo
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/maps.py [--structures 10000] [--runs 10]

Uses the Django test client against the database of DATABASE_URL, with the tile layer of
PORTAL_MAP_TILES (it does not change the page weight: tiles are fetched by the browser).
Each page is requested once cold (outlines simplified, zone index built), then `--runs`
times; the script prints the bytes of the HTML page, the cold time and the median. The
extra structures (published, spread over the communes of Île-de-France, with a point
near each commune's interior point) are created in a transaction rolled back at the end:
the database is left as it was.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from aides.choices import TypeStructure  # noqa: E402
from structures.models import Structure  # noqa: E402
from territoires.models import Commune, Contour  # noqa: E402

PAGES = [
    ("régional, Île-de-France", "/carte/"),
    ("régional, par 100 000 hab.", "/carte/?mesure=taux"),
    ("département 93 (40 communes)", "/carte/93/"),
    ("département 77 (507 communes)", "/carte/77/"),
    ("page du département 93", "/territoires/departements/93/"),
]
KINDS = [TypeStructure.MSP, TypeStructure.CENTRE_SANTE, TypeStructure.CABINET_GROUPE]


class Rollback(Exception):
    pass


def add_structures(total: int) -> int:
    """Published structures until the région counts `total`; returns how many were added."""
    present = Structure.objects.published().in_regions(["11"]).count()
    missing = max(0, total - present)
    communes = list(
        Commune.objects.filter(region__code="11")
        .exclude(arrondissements__isnull=False)
        .select_related("departement")
        .distinct()
    )
    points = {
        code: (lat, lon)
        for code, lat, lon in Contour.objects.filter(
            niveau=Contour.Niveau.COMMUNE, code__in=[c.code for c in communes]
        ).values_list("code", "point_lat", "point_lon")
    }
    communes = [c for c in communes if c.code in points]
    rng = random.Random(11)
    rows = []
    for i in range(missing):
        commune = rng.choice(communes)
        lat, lon = points[commune.code]
        rows.append(
            Structure(
                nom=f"Structure de mesure {i}", type=rng.choice(KINDS), commune=commune,
                departement=commune.departement, region_id=commune.region_id,
                latitude=lat + rng.uniform(-0.003, 0.003),
                longitude=lon + rng.uniform(-0.003, 0.003),
                publication="publiee", statut="ouvert", demonstration=True,
            )
        )  # fmt: skip
    Structure.objects.bulk_create(rows, batch_size=1000)
    return missing


def measure(client: Client, runs: int) -> list[tuple]:
    results = []
    for label, url in PAGES:
        start = time.perf_counter()
        response = client.get(url)
        cold = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - start)
        results.append(
            (label, url, len(response.content), cold, statistics.median(times), len(queries))
        )
    return results


def report(title: str, results) -> None:
    print(f"\n{title}")
    print(f"{'page':32} {'octets':>10} {'1re (ms)':>9} {'médiane (ms)':>13} {'requêtes':>9}")
    for label, _url, size, cold, median, queries in results:
        print(f"{label:32} {size:>10,} {cold * 1000:>9.0f} {median * 1000:>13.0f} {queries:>9}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    client = Client()
    published = Structure.objects.published().in_regions(["11"]).count()
    report(f"Données de démonstration ({published} structures publiées en Île-de-France)",
           measure(client, args.runs))  # fmt: skip
    try:
        with transaction.atomic():
            added = add_structures(args.structures)
            total = Structure.objects.published().in_regions(["11"]).count()
            report(f"Avec {total:,} structures publiées (+{added:,}, annulées ensuite)",
                   measure(client, args.runs))  # fmt: skip
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
