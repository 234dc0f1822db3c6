"""Microseconds per locator lookup on the communes of the loaded régions (IDF + Grand Est).

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py migrate
    DATABASE_URL=... python manage.py import_cog && python manage.py import_contours_local
    DATABASE_URL=... python bench/locator.py [--points 20000] [--seed 1]

Points: half drawn uniformly inside random communes (the common case: an address), half
uniformly in the bounding box of the régions (some fall outside every commune). Reports the
in-memory lookup (`locate_codes`, no query) and the full `locate` (one query for the instance).
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from shapely.geometry import Point, shape  # noqa: E402

from territoires import locator  # noqa: E402
from territoires.models import Contour  # noqa: E402


def sample_points(count: int, rng: random.Random) -> list[tuple[float, float]]:
    contours = list(
        Contour.objects.filter(niveau=Contour.Niveau.COMMUNE).values_list(
            "geometrie", "min_lon", "min_lat", "max_lon", "max_lat"
        )
    )
    if not contours:
        sys.exit("Aucun contour de commune : lancez import_contours_local d'abord.")
    points = []
    while len(points) < count // 2:
        geometry, *bbox = rng.choice(contours)
        polygon = shape(geometry)
        for _ in range(50):
            lon, lat = rng.uniform(bbox[0], bbox[2]), rng.uniform(bbox[1], bbox[3])
            if polygon.contains(Point(lon, lat)):
                points.append((lat, lon))
                break
    min_lon = min(c[1] for c in contours)
    min_lat = min(c[2] for c in contours)
    max_lon = max(c[3] for c in contours)
    max_lat = max(c[4] for c in contours)
    while len(points) < count:
        points.append((rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)))
    rng.shuffle(points)
    return points


def timed(function, points) -> tuple[float, int]:
    found = 0
    start = time.perf_counter()
    for lat, lon in points:
        if function(lat, lon) is not None:
            found += 1
    return (time.perf_counter() - start) / len(points) * 1e6, found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    start = time.perf_counter()
    index = locator.warm()
    print(f"Index : {len(index.codes)} contours, construit en {time.perf_counter() - start:.2f} s")
    points = sample_points(args.points, random.Random(args.seed))

    micro, found = timed(locator.locate_codes, points)
    print(f"locate_codes : {micro:.1f} µs/recherche ({found}/{len(points)} dans une commune)")
    subset = points[: max(1, len(points) // 10)]
    micro, found = timed(locator.locate, subset)
    print(f"locate (avec l'objet Commune) : {micro:.1f} µs/recherche sur {len(subset)} points")


if __name__ == "__main__":
    main()
