"""Two app servers that agree (issue 14): two gunicorn instances started with
deploy/gunicorn.conf.py on one database, behind the deploy/ nginx site (TLS, its upstream
pointed at the two instances' ports), as production runs them.

- a login lockout taken on one instance holds on the other (axes, in the database);
- an agent's edit through one is on the other's public pages (and API) at once (shared cache,
  data-version keys);
- a zoning import through one changes the other's finder answers at once with the shared
  cache, and within PORTAL_DATA_VERSION_RECHECK_SECONDS without one (each process re-reads
  the version row; the in-process zone index follows the data version).

The instances run on a database of their own, built here (migrations, the COG of
Île-de-France, a few rows): on the PostgreSQL server of DATABASE_URL when the suite runs on
PostgreSQL, else on a SQLite file. Nothing touches the suite's test database.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from bench.load import stop
from tests.quality.processes import (
    HOST,
    PASSWORD,
    Browser,
    first_change_seen,
    manage,
    new_database,
)
from tests.quality.test_deploy import (
    GUNICORN_CONF,
    NGINX,
    ROOT,
    free_port,
    production_env,
    start_gunicorn,
    write_nginx_conf,
)

AID = "aide-deux-instances"
RECHECK_SECONDS = 2

SETUP = f"""
import json
from django.contrib.auth import get_user_model
from tests.factories import AideFactory, StructureFactory
User = get_user_model()
User.objects.create_superuser("agent-a", "agent-a@example.test", {PASSWORD!r})
User.objects.create_user("agent-verrou", password={PASSWORD!r}, is_staff=True)
AideFactory(slug={AID!r}, nom="Aide des deux instances", professions=["medecin-generaliste"],
            conditions=[("medecin-generaliste", "zip")])
structure = StructureFactory(nom="Maison de santé avant", with_point=False,
                             publication="publiee")
print(json.dumps({{"structure": structure.pk}}))
"""


class Cluster:
    """Two instances (a, b) and nginx in front of them."""

    def __init__(self, tmp_path: Path, env: dict, label: str):
        self.tmp_path, self.env, self.label = tmp_path, env, label
        self.ports = {"a": free_port(), "b": free_port()}
        self.processes = []
        self.nginx = None
        self.tls_port = free_port()

    def start(self):
        for name, port in self.ports.items():
            self.processes.append(
                start_gunicorn(
                    self.tmp_path,
                    port,
                    ["--config", str(GUNICORN_CONF)],
                    env=self.env,
                    name=f"{self.label}-{name}",
                )
            )
        http_port = free_port()

        def adapt(site: str) -> str:
            site = site.replace("127.0.0.1:8001", f"127.0.0.1:{self.ports['a']}")
            site = site.replace("127.0.0.1:8002", f"127.0.0.1:{self.ports['b']}")
            site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
            site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{self.tls_port} ssl;")
            site = re.sub(r"\s*listen \[::\]:\d+[^;]*;", "", site)
            return site.replace("/srv/portail/", f"{ROOT}/")

        folder = self.tmp_path / f"nginx-{self.label}"
        folder.mkdir()
        head = "user root;\n" if os.geteuid() == 0 else ""  # workers read the static files
        conf = write_nginx_conf(folder, adapt, head=head)
        check = subprocess.run(
            [NGINX, "-t", "-p", str(folder), "-c", str(conf)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        for _ in range(100):
            try:
                if self.browser("nginx").get("/sante")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        pytest.fail("nginx ne répond pas.")

    def stop(self):
        if self.nginx is not None:
            stop(self.nginx)
        for process in self.processes:
            stop(process)

    def browser(self, via: str) -> Browser:
        """To instance "a" or "b" directly, or through "nginx"."""
        if via == "nginx":
            return Browser(self.tls_port, tls=True)
        return Browser(self.ports[via])

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{self.label}-{name}.log").read_text()


def structure_names(browser) -> list[str]:
    status, _, body = browser.get("/api/v1/structures?departement=93")
    assert status == 200, body[:500]
    return [feature["properties"]["nom"] for feature in json.loads(body)["features"]]


def finder_slugs(browser, commune: str) -> list[str]:
    """The aids the finder says apply at the commune, its place checked against a zoning
    (without one, a zoned aid is listed with what remains to check)."""
    status, _, body = browser.get(f"/api/v1/aides?commune={commune}&profession=medecin-generaliste")
    assert status == 200, body[:500]
    return [r["slug"] for r in json.loads(body)["results"] if r["statut"] == "eligible"]


def import_zoning(browser, commune: str, nom: str) -> None:
    """The admin's zoning import, preview then confirmation, as an agent clicks it."""
    path = "/admin/territoires/zonage/importer/"
    annex = f"Code INSEE;Commune;Zonage\r\n{commune};{nom};ZIP\r\n".encode()
    status, _, page = browser.submit(
        path, "multipart",
        {"kind": "ars", "profession": "medecin-generaliste", "region": "11",
         "date_acte": "2022-03-31", "url": "https://example.test/arrete.pdf",
         "titre": f"Arrêté ZIP {nom}", "action": "apercu"},
        files={"fichier": (f"zip-{commune}.csv", annex)},
    )  # fmt: skip
    assert status == 200 and "Confirmer l'import" in page, page[-3000:]
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, page = browser.post(
        path, [("csrfmiddlewaretoken", csrf), ("action", "confirmer"), ("token", token)]
    )
    assert status == 302, page[-3000:]


# --- The two clusters ------------------------------------------------------------------


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("deux-instances")
    url, drop = new_database(tmp_path, "deux_instances")
    env = production_env(
        tmp_path,
        DATABASE_URL=url,
        DJANGO_ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        GUNICORN_WORKERS="1",
        PORTAL_TRUSTED_PROXIES="127.0.0.1",
        PORTAL_PAGE_CACHE_SECONDS="3600",
    )
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "import_cog", "--regions", "11", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        ids = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        yield tmp_path, env, ids
    finally:
        drop()


@pytest.fixture(scope="module")
def shared(database):
    """Both instances with a shared cache (db://, a table of the same database)."""
    tmp_path, env, ids = database
    env = {**env, "CACHE_URL": "db://portail_cache"}
    manage(env, "createcachetable")
    cluster = Cluster(tmp_path, env, "partage")
    try:
        yield cluster.start(), ids
    finally:
        cluster.stop()


def test_nginx_balances_the_requests_over_both_instances(shared):
    cluster, _ = shared
    browser = cluster.browser("nginx")
    statuses = [browser.get(f"/sante?via=nginx&n={n}")[0] for n in range(10)]
    assert statuses == [200] * 10
    for _ in range(50):  # gunicorn logs a request once its response is sent: the last may lag
        served = {name: cluster.log(name).count("GET /sante?via=nginx") for name in ("a", "b")}
        if sum(served.values()) >= 10:
            break
        time.sleep(0.1)
    assert served["a"] > 0 and served["b"] > 0 and sum(served.values()) == 10, served


def test_a_lockout_on_one_instance_holds_on_the_other(shared):
    cluster, _ = shared
    for _ in range(5):
        status, _, page = cluster.browser("a").log_in("agent-verrou", "faux")
        assert status == 200 and "Veuillez compléter correctement" in page
    status, _, page = cluster.browser("b").log_in("agent-verrou")
    assert status == 429, status
    assert "Trop de tentatives de connexion" in page
    for _ in range(2):  # and whichever instance nginx picks
        assert cluster.browser("nginx").log_in("agent-verrou")[0] == 429


def test_an_edit_through_one_is_on_the_other_public_pages_at_once(shared, capsys):
    cluster, ids = shared
    reader = cluster.browser("b")
    assert "Maison de santé avant" in structure_names(reader)  # now in b's page cache
    agent = cluster.browser("a")
    assert agent.log_in("agent-a")[0] == 302
    path = f"/admin/structures/structure/{ids['structure']}/change/"
    status, _, page = agent.submit(
        path, "structure_form", {"nom": "Maison de santé après", "_save": "Enregistrer"}
    )
    assert status == 302, page[-3000:]
    assert "Maison de santé après" in structure_names(reader)  # the very next request
    balanced = [structure_names(cluster.browser("nginx")) for _ in range(4)]
    assert all("Maison de santé après" in names for names in balanced)
    with capsys.disabled():
        print(
            "\n[deux instances, cache partagé] modification par a : vue par b à la requête suivante"
        )


def test_a_zoning_import_through_one_changes_the_other_finder_at_once(shared, capsys):
    cluster, _ = shared
    reader = cluster.browser("b")
    assert AID not in finder_slugs(reader, "93066")  # no zoning yet, answer cached on b
    agent = cluster.browser("a")
    assert agent.log_in("agent-a")[0] == 302
    import_zoning(agent, "93066", "Saint-Denis")
    assert AID in finder_slugs(reader, "93066")  # the very next request, index included
    with capsys.disabled():
        print("[deux instances, cache partagé] zonage importé par a : recherche de b changée "
              "à la requête suivante")  # fmt: skip


def test_without_a_shared_cache_the_other_follows_within_the_recheck_interval(
    database, shared, capsys
):
    """Each process's own cache: b re-reads the version row every RECHECK_SECONDS."""
    tmp_path, env, _ = database
    shared[0].stop()  # the same database, now with per-process caches
    env = {**env, "PORTAL_DATA_VERSION_RECHECK_SECONDS": str(RECHECK_SECONDS)}
    cluster = Cluster(tmp_path, env, "local").start()
    try:
        reader = cluster.browser("b")
        assert AID not in finder_slugs(reader, "77379")
        agent = cluster.browser("a")
        assert agent.log_in("agent-a")[0] == 302
        import_zoning(agent, "77379", "Provins")
        seconds = first_change_seen(lambda: AID in finder_slugs(reader, "77379"), 10)
        assert seconds <= RECHECK_SECONDS + 1
        with capsys.disabled():
            print(
                "[deux instances, cache par processus] zonage importé par a : recherche de b "
                f"changée après {seconds:.1f} s (relecture toutes les {RECHECK_SECONDS} s)"
            )
    finally:
        cluster.stop()
