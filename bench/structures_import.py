"""Import throughput of structures (rows/s, 10,000-row CSV) and the admin list's query count.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py migrate
    DATABASE_URL=... python manage.py import_cog && python manage.py import_contours_local
    DATABASE_URL=... python manage.py load_demo_zonages      # zonings: flags are derived
    DATABASE_URL=... python bench/structures_import.py [--rows 10000] [--keep]

The CSV has one row per structure, each on a real commune of Île-de-France at a point
inside its official outline, so every row goes through the full path an agent's file takes:
cell parsing, the point-in-commune check, the scope check, the derived flags (QPV, rural,
ARS zones), the save and its history entry. It is imported as a regional agent would: a dry
run (the admin's preview), then the real import, both in one transaction. Then the admin
list is requested with all those structures, as a superuser and as a departmental agent, and
its queries are counted. Rows are deleted at the end unless --keep.
"""

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

import tablib  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from structures.models import ProfilAgent, Structure  # noqa: E402
from structures.resources import StructureResource  # noqa: E402
from territoires.models import Contour, Departement, Region  # noqa: E402

PREFIX = "BENCH-"
KINDS = ["msp", "Centre de santé", "cabinet-groupe", "Maison médicale de garde"]


def build_csv(rows: int) -> str:
    points = list(
        Contour.objects.filter(niveau=Contour.Niveau.COMMUNE, code__regex=r"^(75|77|78|9[1-5])")
        .exclude(code="75056")
        .order_by("code")
        .values_list("code", "point_lat", "point_lon")
    )
    if not points:
        sys.exit("Aucun contour de commune d'Île-de-France : lancez import_contours_local.")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Numéro de dossier", "Type", "Nom", "Code commune", "Latitude", "Longitude",
         "Montant accordé (€)", "Date de décision", "Statut", "Professionnels présents"]
    )  # fmt: skip
    for i in range(rows):
        code, lat, lon = points[i % len(points)]
        writer.writerow(
            [f"{PREFIX}{i:06d}", KINDS[i % len(KINDS)], f"Structure de banc n° {i}", code,
             f"{lat:.6f}", f"{lon:.6f}", f"{10_000 + i % 300 * 1_000} €",
             f"{1 + i % 28:02d}/{1 + i % 12:02d}/{2017 + i % 8}", "Financé",
             "Médecin généraliste : 3 ; infirmier : 1" if i % 3 == 0 else ""]
        )  # fmt: skip
    return out.getvalue()


def agent(username, group, **scope):
    user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    user.groups.set([Group.objects.get(name=group)])
    profil, _ = ProfilAgent.objects.get_or_create(user=user)
    profil.region = scope.get("region")
    profil.save()
    profil.departements.set(scope.get("departements", []))
    return user


def timed_import(user, dataset, dry_run):
    resource = StructureResource(user=user)
    start, cpu = time.perf_counter(), time.process_time()
    result = resource.import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True,
        user=user,
    )  # fmt: skip
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if result.has_errors() or result.has_validation_errors():
        first = next(iter(result.invalid_rows), None)
        sys.exit(f"Erreurs à l'import : {first.error_dict if first else result.base_errors}")
    return elapsed, cpu


def count_queries(user, url):
    client = Client()
    client.force_login(user)
    client.get(url)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return len(queries), elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="garder les structures créées")
    parser.add_argument(
        "--list-only", action="store_true", help="mesurer seulement la liste (structures gardées)"
    )
    args = parser.parse_args()

    regional = agent("bench-regional", "Agent régional", region=Region.objects.get(code="11"))
    if not args.list_only:
        Structure.objects.filter(reference__startswith=PREFIX).delete()
        content = build_csv(args.rows)
        dataset = tablib.Dataset().load(content, format="csv")
        print(f"Base : {connection.vendor} ; fichier : {args.rows} lignes, "
              f"{len(content) // 1024} Kio")  # fmt: skip
        for label, dry_run in (("Prévisualisation (dry run)", True), ("Import réel", False)):
            wall, cpu = timed_import(regional, dataset, dry_run=dry_run)
            print(
                f"{label} : {wall:.1f} s, {args.rows / wall:.0f} lignes/s "
                f"(CPU du processus {cpu:.1f} s, soit {args.rows / cpu:.0f} lignes/s)"
            )

    total = Structure.objects.count()
    url = reverse("admin:structures_structure_changelist")
    superuser = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", "bench@example.org", None
    )
    dep93 = agent("bench-93", "Agent départemental",
                  departements=Departement.objects.filter(code="93"))  # fmt: skip
    for label, user in (("superutilisateur", superuser), ("agent régional", regional),
                        ("agent départemental (93)", dep93)):  # fmt: skip
        n, elapsed = count_queries(user, url)
        print(f"Liste admin, {total} structures, {label} : {n} requêtes, {elapsed * 1000:.0f} ms")

    # A zoning change recomputes every located structure (structures.signals).
    from structures.signals import recompute_after_zoning_change

    start = time.perf_counter()
    recompute_after_zoning_change(sender=None, zonage_ids=None)
    print(f"Recalcul des zones après un changement de zonage : {time.perf_counter() - start:.1f} s")

    if not args.keep:
        Structure.objects.filter(reference__startswith=PREFIX).delete()
        Structure.history.filter(reference__startswith=PREFIX).delete()


if __name__ == "__main__":
    main()
