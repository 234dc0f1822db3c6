"""Zone lookups (µs) over every commune of the loaded régions and the QPV polygons; map payloads.

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3
    python manage.py migrate && python manage.py import_cog
    python manage.py import_contours_local
    python manage.py load_demo_zonages      # demonstration zonings + real QPV 2024 (IDF)
    python bench/zones.py [--repeat 5] [--seed 1]

Reports:
- `zones_at(commune)` for every commune and arrondissement (IDF + Grand Est), index warm;
- `zones_at(lat, lon)` at a point inside each QPV polygon and at as many points drawn in the
  QPV's communes (commune located by the locator, then the QPV STRtree);
- `zones_for_communes` over one département (3 queries) for comparison;
- the map payload (GeoJSON bytes) of the /zonages/ page for each département.
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

from shapely.geometry import Point, shape  # noqa: E402

from territoires import locator  # noqa: E402
from territoires.models import Commune, Contour, Departement, Zone  # noqa: E402
from territoires.zonages import lookup as zones  # noqa: E402
from territoires.zonages import maps as zonages_carte  # noqa: E402


def per_call(function, arguments, repeat):
    """Median over `repeat` runs of the mean µs per call."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for args in arguments:
            function(*args)
        runs.append((time.perf_counter() - start) / len(arguments) * 1e6)
    return statistics.median(runs)


def qpv_points(rng):
    inside, around = [], []
    outlines = dict(
        Contour.objects.filter(niveau=Contour.Niveau.COMMUNE).values_list("code", "geometrie")
    )
    for zone in Zone.objects.filter(geometrie__isnull=False).prefetch_related("communes"):
        point = shape(zone.geometrie).representative_point()
        inside.append((None, point.y, point.x))
        for commune in zone.communes.all()[:1]:
            polygon = shape(outlines[commune.code])
            min_lon, min_lat, max_lon, max_lat = polygon.bounds
            for _ in range(100):
                lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
                if polygon.contains(Point(lon, lat)):
                    around.append((None, lat, lon))
                    break
    return inside, around


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    start = time.perf_counter()
    index = zones.get_index()
    locator.warm()
    print(
        f"Index des zones : {sum(len(v) for v in index.per_commune.values())} liens "
        f"commune-zone, {len(index.polygon_matches)} polygones, construit en "
        f"{time.perf_counter() - start:.2f} s (avec le localisateur)"
    )
    codes = [(code,) for code in Commune.objects.values_list("code", flat=True)]
    found = sum(1 for (code,) in codes if zones.zones_at(code))
    micro = per_call(lambda code: zones.zones_at(code), codes, args.repeat)
    print(
        f"zones_at(commune) : {micro:.1f} µs/recherche sur {len(codes)} communes et "
        f"arrondissements ({found} avec au moins une zone)"
    )
    inside, around = qpv_points(random.Random(args.seed))
    hits = sum(
        1
        for _, lat, lon in inside
        if any(m.kind == "qpv" for m in zones.zones_at(lat=lat, lon=lon))
    )
    micro = per_call(lambda c, lat, lon: zones.zones_at(lat=lat, lon=lon), inside, args.repeat)
    print(
        f"zones_at(point dans un QPV) : {micro:.1f} µs/recherche ({hits}/{len(inside)} QPV trouvés)"
    )
    micro = per_call(lambda c, lat, lon: zones.zones_at(lat=lat, lon=lon), around, args.repeat)
    print(
        f"zones_at(point dans une commune à QPV) : {micro:.1f} µs/recherche ({len(around)} points)"
    )

    seine_et_marne = list(Commune.objects.filter(departement__code="77"))
    start = time.perf_counter()
    zones.zones_for_communes(seine_et_marne)
    print(
        f"zones_for_communes (Seine-et-Marne, {len(seine_et_marne)} communes, 3 requêtes) : "
        f"{(time.perf_counter() - start) * 1000:.0f} ms"
    )
    print("Carte /zonages/ (médecins généralistes) — GeoJSON de la carte, en octets :")
    for departement in Departement.objects.order_by("code"):
        carte = zonages_carte.build(departement, "medecin-generaliste")
        qpv = zonages_carte.build(departement, "qpv")
        print(
            f"  {departement.code} {departement.nom:<22} {len(carte.features):>4} communes "
            f"{carte.payload_bytes():>8} o   QPV : {qpv.payload_bytes():>7} o"
        )


if __name__ == "__main__":
    main()
