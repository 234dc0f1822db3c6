"""Median response time of the aid finder (page and API) with 500 extra aids in the catalogue.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py setup_demo
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/finder.py [--aids 500] [--runs 30]

Uses the Django test client against the database of DATABASE_URL (reference data, demo
zoning and catalogue loaded by setup_demo). The extra aids (half with a zoning condition,
some with a département condition) are created in a transaction rolled back at the end:
the database is left as it was. Each query is sent once to warm the in-memory indexes
(zones, locator), then `--runs` times; the script prints median and 90th percentile.
"""

import argparse
import os
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

from aides.models import Aide, ConditionZonage  # noqa: E402
from territoires.models import Departement, Profession  # noqa: E402

QUERIES = [
    ("page, commune + profession", "/aides/?commune=93066&profession=medecin-generaliste"),
    ("page, point (QPV)", "/aides/?lat=48.9356&lon=2.3596&profession=medecin-generaliste"),
    ("page, no place, sorted by amount", "/aides/?tri=montant&fermees=on"),
    ("page, commune, page 3", "/aides/?commune=77379&page=3"),
    ("API, commune + profession + stage",
     "/api/v1/aides?commune=67482&profession=infirmier&etape=installation"),
]  # fmt: skip


class Rollback(Exception):
    pass


def add_aids(count: int) -> None:
    professions = Profession.values
    aids = Aide.objects.bulk_create(
        [
            Aide(
                slug=f"bench-{i}", nom=f"Aide de mesure {i}", resume="Aide créée pour la mesure.",
                forme="subvention", nature_montant="plafond", montant_max=100 * i,
                statut="publiee", professions=[professions[i % len(professions)]],
                publics=["professionnel"], etapes=["installation", "maintien"],
            )
            for i in range(count)
        ]
    )  # fmt: skip
    seine_saint_denis = Departement.objects.get(code="93")
    conditions = [
        ConditionZonage(aide=a, profession="", categories="zip, zac, tres-sous-dotee")
        for a in aids[::2]
    ]
    conditions += [ConditionZonage(aide=a, departement=seine_saint_denis) for a in aids[::7]]
    ConditionZonage.objects.bulk_create(conditions)


def measure(client: Client, url: str, runs: int) -> tuple[list[float], int]:
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{url} : réponse {response.status_code}")
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
    return timings, len(queries.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aids", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if not Aide.objects.exists():
        sys.exit("Catalogue vide : lancez python manage.py setup_demo d'abord.")
    client = Client()
    try:
        with transaction.atomic():
            add_aids(args.aids)
            total = Aide.objects.published().count()
            print(f"{total} aides publiées ({args.aids} ajoutées pour la mesure), "
                  f"{args.runs} requêtes par recherche, base {connection.vendor}")  # fmt: skip
            print(f"{'recherche':<36} {'médiane':>9} {'p90':>9} {'requêtes SQL':>13}")
            for label, url in QUERIES:
                timings, queries = measure(client, url, args.runs)
                timings.sort()
                median = statistics.median(timings)
                p90 = timings[int(0.9 * (len(timings) - 1))]
                print(f"{label:<36} {median:>7.1f}ms {p90:>7.1f}ms {queries:>13}")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
