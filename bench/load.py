"""Load benchmark: the portal under gunicorn, production settings, PostgreSQL, driven by wrk.

    .venv/bin/python bench/load.py                      # everything, with the defaults below
    .venv/bin/python bench/load.py --skip-data          # reuse the database of a previous run
    .venv/bin/python bench/load.py --duration 10 --only plafond recherche

1. Creates (or reuses) a dedicated PostgreSQL database (`--database-url`, default
   `portail_bench` on 127.0.0.1:5432), migrates it and loads a large dataset: all of France's
   communes (`import_cog --all`), the local contours and QPV, the demo zonings, the aid
   catalogue and demo structures, then published structures up to `--structures` (10,000)
   and aids up to `--aides` (500), with the generators of bench/maps.py and bench/finder.py.
2. Starts gunicorn with production settings (DJANGO_DEBUG=0, collected static files) on
   127.0.0.1, as behind a TLS proxy (`X-Forwarded-Proto: https`).
3. For each page: a warm-up, then wrk at `--connections` (20) for `--duration` (30 s);
   prints requests/s, p50/p99 latency, errors (must be 0) and the ratio to the ceiling,
   a trivial Django view (`/sante`, no database).

Not a test and not run in CI: it takes ~10 minutes with a fresh database. Only loopback
addresses are ever contacted. Needs wrk (`apt-get install wrk`; installed when missing).
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres:postgres@127.0.0.1:5432/portail_bench"

# (name, label, path): the ceiling first; the others are the journeys of issue 7.
TARGETS = [
    ("plafond", "Vue Django triviale (/sante, plafond)", "/sante"),
    (
        "recherche",
        "Recherche d'aides (Saint-Denis, médecin, installation)",
        "/aides/?commune=93066&profession=medecin-generaliste&etape=installation",
    ),
    ("carte-departement", "Carte d'un département (93)", "/carte/93/"),
    ("bilan", "Statistiques (bilan)", "/bilan/"),
    (
        "api-aides",
        "API aides (Saint-Denis, médecin)",
        "/api/v1/aides?commune=93066&profession=medecin-generaliste",
    ),
    ("api-lieu", "API lieu (point à Saint-Denis)", "/api/v1/lieu?lat=48.9362&lon=2.3574"),
    ("api-statistiques", "API statistiques", "/api/v1/statistiques"),
]
DATA_STEPS = [
    ["migrate", "--noinput"],
    ["import_cog", "--all"],
    ["import_contours_local"],
    ["import_qpv_local"],
    ["load_demo_zonages"],
    ["load_aides"],
    ["load_demo"],
    ["collectstatic", "--noinput", "--verbosity", "0"],
]


def log(message: str) -> None:
    print(f"==> {message}", flush=True)


def production_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def ensure_database(database_url: str, fresh: bool) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1].split("?")[0]
    if not re.fullmatch(r"\w+", name):
        sys.exit(f"Nom de base invalide : {name!r}")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            log(f"Suppression de la base {name}")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            log(f"Création de la base {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> None:
    started = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)
    log(f"manage.py {' '.join(args)} : {time.perf_counter() - started:.0f} s")


POPULATE = """
import sys
sys.argv = ["bench"]
import django
django.setup()
from aides.models import Aide
from bench.finder import add_aids
from bench.maps import add_structures
added = add_structures({structures})
missing = max(0, {aides} - Aide.objects.count())
if missing:
    add_aids(missing)
print(f"structures ajoutées : {{added}}, aides ajoutées : {{missing}}")
"""


def populate(env: dict, structures: int, aides: int) -> None:
    code = POPULATE.format(structures=structures, aides=aides)
    subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True)


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(PYTHON).with_name("gunicorn")
    command = [
        str(gunicorn), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning",
        "--timeout", "60",
    ]  # fmt: skip
    log(f"gunicorn ({workers} processus) sur 127.0.0.1:{port}")
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn s'est arrêté au démarrage.")
        try:
            if fetch(port, "/sante")[0] == 200:
                return process
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    stop(process)
    sys.exit("gunicorn ne répond pas.")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


HEADERS = {"X-Forwarded-Proto": "https", "Accept": "text/html,application/json"}


def fetch(port: int, path: str) -> tuple[int, int]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk absent : apt-get install wrk")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("wrk introuvable.")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS[unit]


def parse_wrk(output: str) -> dict:
    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    errors += int(number(r"Non-2xx or 3xx responses: (\d+)"))
    requests = int(number(r"(\d+) requests in"))
    if requests == 0:  # nothing answered within the run: as bad as an error
        errors += 1
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": requests,
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "errors": errors,
    }


def run_wrk(wrk: str, port: int, path: str, args) -> dict:
    command = [
        wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
        "--timeout", "30s", "-H", "X-Forwarded-Proto: https", f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def report(results: list[dict]) -> None:
    ceiling = next((r["rps"] for r in results if r["name"] == "plafond"), None)
    print()
    print("| page | requêtes/s | p50 (ms) | p99 (ms) | erreurs | part du plafond |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        ratio = f"{r['rps'] / ceiling:.0%}" if ceiling else "—"
        print(
            f"| {r['label']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {r['errors']} | {ratio} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--fresh", action="store_true", help="Recréer la base de zéro.")
    parser.add_argument(
        "--skip-data", action="store_true", help="Garder les données (migrations seulement)."
    )
    parser.add_argument("--structures", type=int, default=10_000)
    parser.add_argument("--aides", type=int, default=500)
    parser.add_argument("--duration", type=int, default=30, help="Secondes par page.")
    parser.add_argument("--warmup", type=int, default=5, help="Secondes de chauffe par page.")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="Fils de wrk.")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8199)
    parser.add_argument("--only", nargs="*", choices=[t[0] for t in TARGETS])
    parser.add_argument("--json", type=Path, help="Écrire aussi les résultats dans ce fichier.")
    args = parser.parse_args()

    env = production_env(args.database_url)
    wrk = ensure_wrk()
    if args.skip_data:
        # The code may have moved since the data were loaded: schema and static files follow.
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    else:
        ensure_database(args.database_url, args.fresh)
        for step in DATA_STEPS:
            manage(env, *step)
        populate(env, args.structures, args.aides)

    targets = [t for t in TARGETS if not args.only or t[0] in args.only or t[0] == "plafond"]
    server = start_gunicorn(env, args.port, args.workers)
    results = []
    try:
        for name, label, path in targets:
            status, size = fetch(args.port, path)
            if status != 200:
                raise SystemExit(f"{path} répond {status} : rien à mesurer.")
            if args.warmup:
                warmup = argparse.Namespace(**{**vars(args), "duration": args.warmup})
                run_wrk(wrk, args.port, path, warmup)
            result = {"name": name, "label": label, "path": path, "bytes": size}
            result.update(run_wrk(wrk, args.port, path, args))
            results.append(result)
            log(
                f"{label} : {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms, {result['errors']} erreur(s)"
            )
    finally:
        stop(server)

    report(results)
    print(
        f"\n{args.connections} connexions, {args.duration} s par page, gunicorn "
        f"{args.workers} processus sync, PostgreSQL, DJANGO_DEBUG=0, {os.cpu_count()} cœurs."
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    failed = [r for r in results if r["errors"]]
    if failed:
        print("Des erreurs ont été comptées : " + ", ".join(r["name"] for r in failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
