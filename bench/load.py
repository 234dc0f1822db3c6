"""Load benchmark: the portal under gunicorn, production settings, PostgreSQL, driven by wrk.

    .venv/bin/python bench/load.py                      # everything, with the defaults below
    .venv/bin/python bench/load.py --skip-data          # reuse the database of a previous run
    .venv/bin/python bench/load.py --skip-data --duration 15 --markdown /tmp/bench.md
    .venv/bin/python bench/load.py --duration 10 --mode single --only plafond recherche

1. Creates (or reuses) a dedicated PostgreSQL database (`--database-url`, default
   `portail_bench` on 127.0.0.1:5432) and loads national data: `setup_demo` with
   `PORTAL_REGIONS=all` (all of France's communes, the real zonings of
   PORTAL_ZONAGES_DATA_DIR, contours and QPV of the geo folder, the aid catalogue and the demo
   structures), then published structures up to `--structures` (10,000) and aids up to
   `--aides` (500), with the generators of bench/maps.py and bench/finder.py.
2. Starts gunicorn with production settings (DJANGO_DEBUG=0, collected static files) on
   127.0.0.1, as behind a TLS proxy (`X-Forwarded-Proto: https`), its workers sharing the
   cache of `--cache-url` (default: a private redis-server started for the run when redis is
   installed, else a file cache emptied first): the first finder request is timed.
3. For each page, in `--mode single` (one URL, as a user reloading it), `varied` (a list of
   distinct URLs from bench/varied.py walked by bench/varied.lua: every commune × profession,
   random points, every département…) or `both`: a warm-up, then wrk at `--connections` (20)
   for `--duration` (30 s). Prints requests/s, p50/p99 latency, errors (must be 0: exit 1
   otherwise) and the share of the ceiling, a trivial Django view (`/sante`, no database),
   page weights (raw and gzipped, with the largest GeoJSON layer a page references) and the
   workers' memory (VmRSS) after the run.

Not a test and not run in CI: it takes ~10 minutes with a fresh database. Only loopback
addresses are ever contacted. Needs wrk (`apt-get install wrk`; installed when missing).
"""

import argparse
import gzip
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import varied
from bench.report import markdown, parse_wrk

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
    (
        "installation",
        "Où m'installer ? (kinés, Grand Est)",
        "/aides/ou-minstaller/?profession=masseur-kinesitherapeute&region=44",
    ),
    (
        "installation-france",
        "Où m'installer ? (kinés, France)",
        "/aides/ou-minstaller/?profession=masseur-kinesitherapeute",
    ),
]
DATA_STEPS = [
    # setup_demo: migrations, COG, contours, QPV, the real zonings (PORTAL_ZONAGES_DATA_DIR),
    # the demo zonings where they leave gaps, the aid catalogue and the demo structures.
    ["setup_demo"],
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
        PORTAL_REGIONS="all",  # national data: every région's communes and zonings
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


def start_gunicorn(env: dict, port: int, workers: int) -> tuple[subprocess.Popen, float]:
    """The server and the seconds from its spawn to its first answer (`/sante`, no database)."""
    gunicorn = Path(PYTHON).with_name("gunicorn")
    command = [
        str(gunicorn), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning",
        "--timeout", "60",
    ]  # fmt: skip
    log(f"gunicorn ({workers} processus) sur 127.0.0.1:{port}")
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn s'est arrêté au démarrage.")
        try:
            if fetch(port, "/sante")[0] == 200:
                return process, time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    stop(process)
    sys.exit("gunicorn ne répond pas.")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def choose_cache(args) -> tuple[str, subprocess.Popen | None]:
    """CACHE_URL for the workers: `--cache-url` (`locmem`: each worker its own), else a private
    redis-server (empty, no persistence) when redis and its Python client are installed, else
    an emptied file cache. A fresh cache, so the run starts cold whatever ran before."""
    if args.cache_url:
        return ("" if args.cache_url == "locmem" else args.cache_url), None
    if shutil.which("redis-server") and importlib.util.find_spec("redis"):
        port = args.port + 1000
        command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--loglevel", "warning"]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True)
        time.sleep(0.5)
        return f"redis://127.0.0.1:{port}/0", process
    folder = Path(tempfile.gettempdir()) / "portail-bench-cache"
    shutil.rmtree(folder, ignore_errors=True)
    return f"file://{folder}", None


HEADERS = {"X-Forwarded-Proto": "https", "Accept": "text/html,application/json"}


def fetch(port: int, path: str, timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


# The map's layers (/carte/couches/…), not the page's download links (/donnees/…).
LAYER_URL = re.compile(
    r"""["']((?:https?:)?[^"'\s<>]*?/couches/[^"'\s<>]*?\.geojson(?:\?[^"'\s<>]*)?)["']"""
)


def weights(port: int, path: str, body: bytes) -> dict:
    """Bytes of the answer, gzipped, and the largest GeoJSON layer it references (gzipped)."""
    largest, largest_url = 0, ""
    for url in sorted(set(LAYER_URL.findall(body.decode("utf-8", "replace")))):
        url = url.replace("\\/", "/").replace("&amp;", "&")
        if url.startswith("http"):
            url = "/" + url.split("/", 3)[3]
        status, layer = fetch(port, url)
        if status != 200:
            raise SystemExit(f"Couche {url} (de {path}) : {status}.")
        if gzipped(layer) > largest:
            largest, largest_url = gzipped(layer), url
    return {"bytes": len(body), "gzip": gzipped(body), "layer_gzip": largest, "layer": largest_url}


def worker_rss(master: int) -> list[int]:
    """VmRSS (kB) of each gunicorn worker, the master's children."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)))
    return sizes


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk absent : apt-get install wrk")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("wrk introuvable.")


def run_wrk(wrk: str, port: int, path: str, args, paths_file: Path | None = None) -> dict:
    """wrk on one path, or (`paths_file`) on the list of paths walked by bench/varied.lua."""
    command = [
        wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
        "--timeout", "30s", "-H", "X-Forwarded-Proto: https",
    ]  # fmt: skip
    if paths_file:
        command += ["-s", str(ROOT / "bench" / "varied.lua"), f"http://127.0.0.1:{port}"]
        command += ["--", str(paths_file)]
    else:
        command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def offers(port: int, name: str) -> set[str]:
    """The filters the bilan page (its form) or the statistics API (OpenAPI) offers."""
    if name == "bilan":
        html = fetch(port, "/bilan/")[1].decode()
        return set(re.findall(r'name="(region|departement)"', html))
    if name == "api-statistiques":
        schema = json.loads(fetch(port, "/api/v1/openapi.json")[1])
        return {p["name"] for p in schema["paths"]["/api/v1/statistiques"]["get"]["parameters"]}
    return set()


def measure_single(wrk, port, name, path, args) -> dict:
    status, body = fetch(port, path)
    if status != 200:
        raise SystemExit(f"{path} répond {status} : rien à mesurer.")
    if args.warmup:
        run_wrk(wrk, port, path, argparse.Namespace(**{**vars(args), "duration": args.warmup}))
    result = {"urls": 1, **weights(port, path, body)}
    result.update(run_wrk(wrk, port, path, args))
    return result


def measure_varied(wrk, port, name, material, args, folder: Path) -> dict:
    """Warm-up on a list apart from the measured one when the page has enough URLs, so the
    measure does not ask URLs the warm-up cached."""
    paths = varied.build(name, material, args.varied_size, args.seed, offers(port, name))
    warm, measured = (paths[:1000], paths[1000:]) if len(paths) >= 3000 else (paths, paths)
    bodies = []
    for path in measured[:: max(1, len(measured) // 20)][:20]:  # a sample, checked and weighed
        status, body = fetch(port, path)
        if not 200 <= status < 400:
            raise SystemExit(f"{path} répond {status} (mode varié).")
        bodies.append(body)
    files = {}
    for label, part in (("warm", warm), ("measured", measured)):
        files[label] = folder / f"{name}-{label}.txt"
        files[label].write_text("\n".join(part) + "\n")
    if args.warmup:
        warmup = argparse.Namespace(**{**vars(args), "duration": args.warmup})
        run_wrk(wrk, port, None, warmup, files["warm"])
    result = run_wrk(wrk, port, None, args, files["measured"])
    result.update(
        urls=len(measured),
        laps=result["requests"] / len(measured),
        bytes=sum(map(len, bodies)) // len(bodies),
        gzip=sum(map(gzipped, bodies)) // len(bodies),
    )
    if result["errors"]:
        for path in measured[:300]:
            status = fetch(port, path)[0]
            if not 200 <= status < 400:
                log(f"  {path} répond {status}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--fresh", action="store_true", help="Recréer la base de zéro.")
    parser.add_argument(
        "--skip-data", action="store_true", help="Garder les données (migrations seulement)."
    )
    parser.add_argument("--structures", type=int, default=10_000)
    parser.add_argument("--aides", type=int, default=500)
    parser.add_argument("--mode", choices=["single", "varied", "both"], default="both")
    parser.add_argument(
        "--varied-size", type=int, default=20_000, help="URL au plus par page (mode varié)."
    )
    parser.add_argument("--seed", type=int, default=13, help="Graine des listes d'URL.")
    parser.add_argument(
        "--cache-url", help="CACHE_URL des processus (locmem, redis://…, file://…, db://…)."
    )
    parser.add_argument("--duration", type=int, default=30, help="Secondes par page.")
    parser.add_argument("--warmup", type=int, default=5, help="Secondes de chauffe par page.")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="Fils de wrk.")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8199)
    parser.add_argument("--only", nargs="*", choices=[t[0] for t in TARGETS])
    parser.add_argument("--json", type=Path, help="Écrire aussi les résultats dans ce fichier.")
    parser.add_argument("--markdown", type=Path, help="Écrire le rapport Markdown dans ce fichier.")
    args = parser.parse_args()

    env = production_env(args.database_url)
    wrk = ensure_wrk()
    cache_url, cache_server = choose_cache(args)
    env["CACHE_URL"] = cache_url
    log(f"Cache partagé des processus : {cache_url or 'locmem (un par processus)'}")
    folder = Path(tempfile.mkdtemp(prefix="portail-bench-"))
    try:
        return bench(args, env, wrk, cache_url, folder)
    finally:
        if cache_server:
            stop(cache_server)
        shutil.rmtree(folder, ignore_errors=True)


def bench(args, env: dict, wrk: str, cache_url: str, folder: Path) -> int:
    if args.skip_data:
        # The code may have moved since the data were loaded: schema and static files follow.
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    else:
        ensure_database(args.database_url, args.fresh)
        for step in DATA_STEPS:
            manage(env, *step)
        populate(env, args.structures, args.aides)
    manage(env, "createcachetable")  # db:// caches; nothing to do for the others

    modes = ["single", "varied"] if args.mode == "both" else [args.mode]
    material = {}
    if "varied" in modes:
        started = time.perf_counter()
        material_file = folder / "material.json"
        code = "import sys; sys.argv = ['bench']; import django; django.setup(); "
        code += f"from bench.varied import dump_material; dump_material({str(material_file)!r})"
        subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True)
        material = json.loads(material_file.read_text())
        log(f"Listes d'URL : matériau lu en {time.perf_counter() - started:.0f} s")

    targets = [t for t in TARGETS if not args.only or t[0] in args.only or t[0] == "plafond"]
    server, startup = start_gunicorn(env, args.port, args.workers)
    results = []
    try:
        started = time.perf_counter()
        status = fetch(args.port, TARGETS[1][2])[0]
        first_request = time.perf_counter() - started
        log(f"Première recherche d'aides après le démarrage : {first_request:.2f} s ({status})")
        for name, label, path in targets:
            result = {"name": name, "label": label, "path": path}
            for mode in modes if name != "plafond" else ["single"]:
                if mode == "single":
                    r = measure_single(wrk, args.port, name, path, args)
                else:
                    r = measure_varied(wrk, args.port, name, material, args, folder)
                result[mode] = r
                log(
                    f"{label} [{mode}] : {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, "
                    f"p99 {r['p99_ms']:.1f} ms, {r['errors']} erreur(s), {r['urls']} URL"
                )
            results.append(result)
        rss = worker_rss(server.pid)
    finally:
        stop(server)

    run = {
        "rss_kb": rss,
        "startup_s": startup,
        "first_request_s": first_request,
        "conditions": (
            f"{args.connections} connexions, wrk {args.threads} fils, {args.duration} s par page "
            f"et par mode (chauffe {args.warmup} s), gunicorn {args.workers} processus sync, "
            f"PostgreSQL, DJANGO_DEBUG=0, PORTAL_REGIONS=all, cache "
            f"{cache_url.split(':')[0] if cache_url else 'locmem'}, {os.cpu_count()} cœurs."
        ),
    }
    text = markdown(results, run)
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "run": run}, indent=2))
    failed = [
        f"{r['name']} ({mode})"
        for r in results
        for mode in ("single", "varied")
        if r.get(mode, {}).get("errors")
    ]
    if failed or status >= 400:
        print("Des erreurs ont été comptées : " + ", ".join(failed or ["première recherche"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
