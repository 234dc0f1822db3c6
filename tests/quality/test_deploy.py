"""The production configuration of deploy/ (issue 14): what an operator installs works as written.

- deploy/portail.env.example lists exactly the variables portal/settings.py and
  deploy/gunicorn.conf.py read, each with its comment;
- deploy/gunicorn.conf.py loads in gunicorn, with a worker class that survives slow clients;
- deploy/nginx/portail.conf passes `nginx -t` (Debian's nginx, installed by dev.sh), with
  self-signed certificates made by openssl in place of the placeholders;
- slow clients: gunicorn started with deploy/gunicorn.conf.py on 127.0.0.1 keeps answering
  while six clients send their headers one byte a second (with the former command line,
  `--worker-class sync --workers 3`, the same request gets no answer).
"""

import ast
import importlib.util
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
from pathlib import Path

import pytest
from django.conf import settings

from bench.load import fetch, stop
from portal.middleware import max_request_bytes

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
NGINX_SITE = DEPLOY / "nginx" / "portail.conf"
ENV_EXAMPLE = DEPLOY / "portail.env.example"
SYSTEMD = DEPLOY / "systemd"
WEB_UNIT = SYSTEMD / "portail-web@.service"
WORKER_UNIT = SYSTEMD / "portail-worker.service"
# Each timer and the command its service runs.
TIMERS = {
    "portail-taches-quotidiennes": ("schedule_daily_tasks", "OnCalendar=*-*-* 03:00"),
    "portail-alertes": ("send_alert_digests", "OnCalendar=Mon *-*-* 07:00"),
}
NGINX = os.environ.get("PORTAL_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
# The placeholders of the site's certificate, replaced by test certificates for `nginx -t`.
CERTIFICATE_PLACEHOLDER = "/etc/portail/tls/fullchain.pem"
KEY_PLACEHOLDER = "/etc/portail/tls/privkey.pem"
SLOW_CLIENTS = 6


# --- The environment variables ---------------------------------------------------------------

ENV_READERS = {"env_bool", "env_list", "os.environ.get", "os.getenv"}


def variables_read(path: Path) -> set[str]:
    """Names passed to os.environ.get / os.getenv / os.environ[…] / env_bool / env_list, and
    DATABASE_URL when dj_database_url.config() reads it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func == "dj_database_url.config":
                env = next((k.value for k in node.keywords if k.arg == "env"), None)
                names.add(env.value if isinstance(env, ast.Constant) else "DATABASE_URL")
            elif func in ENV_READERS and node.args and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def env_example() -> dict[str, str]:
    """Each NAME=value of the example, with the comment line just above it."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    found = {}
    for number, line in enumerate(lines):
        match = re.match(r"([A-Z][A-Z0-9_]*)=", line)
        if match:
            above = lines[number - 1] if number else ""
            found[match.group(1)] = above[1:].strip() if above.startswith("#") else ""
    return found


def test_the_env_example_lists_exactly_the_variables_the_settings_and_gunicorn_read():
    read = variables_read(ROOT / "portal" / "settings.py") | variables_read(GUNICORN_CONF)
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CACHE_URL", "GUNICORN_THREADS"} <= read
    listed = env_example()
    assert not read - listed.keys(), f"absentes de portail.env.example : {read - listed.keys()}"
    assert not listed.keys() - read, f"lues par personne : {listed.keys() - read}"
    uncommented = sorted(name for name, comment in listed.items() if not comment)
    assert not uncommented, f"variables sans commentaire : {uncommented}"


def test_the_units_read_the_env_file_and_run_the_web_server_and_the_worker():
    web = WEB_UNIT.read_text(encoding="utf-8")
    worker = WORKER_UNIT.read_text(encoding="utf-8")
    for unit in (web, worker):
        assert "\nEnvironmentFile=/etc/portail/portail.env\n" in unit
        assert "\nUser=portail\n" in unit
    exec_start = re.search(r"^ExecStart=(.+)$", web, re.MULTILINE).group(1)
    assert "gunicorn --config deploy/gunicorn.conf.py" in exec_start
    # One instance per port: portail-web@8001 and portail-web@8002, nginx's upstream.
    assert "--bind 127.0.0.1:%i" in exec_start and "portal.wsgi:application" in exec_start
    assert re.search(r"^ExecStart=\S+python manage\.py db_worker$", worker, re.MULTILINE)


def test_each_timer_runs_its_command_through_a_oneshot_service():
    from django.core.management import get_commands

    for name, (command, calendar) in TIMERS.items():
        timer = (SYSTEMD / f"{name}.timer").read_text(encoding="utf-8")
        service = (SYSTEMD / f"{name}.service").read_text(encoding="utf-8")
        assert f"\n{calendar}\n" in timer and "\nPersistent=true\n" in timer
        assert "\nWantedBy=timers.target\n" in timer
        assert "\nType=oneshot\n" in service
        assert "\nEnvironmentFile=/etc/portail/portail.env\n" in service
        assert "\nUser=portail\n" in service
        assert re.search(rf"^ExecStart=\S+python manage\.py {command}$", service, re.MULTILINE)
        assert command in get_commands()  # a command the portal has
    units = {path.name for path in SYSTEMD.iterdir()}
    assert units == {WEB_UNIT.name, WORKER_UNIT.name} | {
        f"{name}.{kind}" for name in TIMERS for kind in ("timer", "service")
    }


# --- gunicorn ------------------------------------------------------------------------------


def load_gunicorn_conf(environ: dict[str, str]):
    spec = importlib.util.spec_from_file_location("portail_gunicorn_conf", GUNICORN_CONF)
    module = importlib.util.module_from_spec(spec)
    saved = dict(os.environ)
    os.environ.update(environ)
    try:
        spec.loader.exec_module(module)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return module


def test_the_gunicorn_conf_loads_with_threads_timeouts_and_the_proxy():
    from gunicorn.config import Config

    module = load_gunicorn_conf({"GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "6"})
    config = Config()
    for name in config.settings:
        if hasattr(module, name):
            config.set(name, getattr(module, name))  # gunicorn's own validation of each value
    assert config.worker_class_str == "gthread"
    assert (config.workers, config.threads) == (3, 6)
    assert config.timeout == 30 and config.graceful_timeout == 30
    assert config.max_requests == 1000 and 0 < config.max_requests_jitter < config.max_requests
    assert "127.0.0.1" in config.forwarded_allow_ips
    assert config.accesslog == "-"
    assert load_gunicorn_conf({}).threads >= 4  # the default survives slow clients too


# --- nginx ---------------------------------------------------------------------------------


def test_the_nginx_site_matches_the_portal():
    site = NGINX_SITE.read_text(encoding="utf-8")
    upstream = re.search(r"upstream portail_app \{(.*?)\}", site, re.DOTALL).group(1)
    servers = re.findall(r"^\s*server (\S+)", upstream, re.MULTILINE)
    assert servers == ["127.0.0.1:8001", "127.0.0.1:8002"]
    assert re.search(r"listen 80;\s+listen \[::\]:80;.*?return 301 https://", site, re.DOTALL)
    size = re.search(r"client_max_body_size (\d+)m;", site).group(1)
    assert int(size) * 1024 * 1024 == max_request_bytes()  # the portal's 413 limit
    for header in ("X-Forwarded-Proto $scheme", "X-Forwarded-For", "Host $host"):
        assert f"proxy_set_header {header}" in site
    for timeout in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        assert re.search(rf"{timeout} \d+s;", site)
    # The alias is STATIC_ROOT where the unit runs the code (WorkingDirectory).
    code = re.search(r"^WorkingDirectory=(.+)$", WEB_UNIT.read_text(), re.MULTILINE).group(1)
    static_root = Path(settings.STATIC_ROOT).relative_to(settings.BASE_DIR)
    assert f"alias {code}/{static_root}/;" in site
    assert re.search(r'"public, max-age=31536000, immutable"', site)


def write_nginx_conf(tmp_path: Path, adapt=None, head: str = "") -> Path:
    """A whole nginx.conf in tmp_path including the site (changed by `adapt`, a function of
    its text, if given), with self-signed certificates; `head` goes first (main context)."""
    if not Path(NGINX).is_file():
        pytest.fail(
            f"nginx est introuvable ({NGINX}) : `apt-get install nginx` "
            "(./dev.sh test l'installe) ou PORTAL_NGINX=/chemin/vers/nginx."
        )
    certificate, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=portail.example.fr", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = NGINX_SITE.read_text(encoding="utf-8")
    assert CERTIFICATE_PLACEHOLDER in site and KEY_PLACEHOLDER in site
    site = site.replace(CERTIFICATE_PLACEHOLDER, str(certificate))
    site = site.replace(KEY_PLACEHOLDER, str(key))
    (tmp_path / "portail.conf").write_text(adapt(site) if adapt else site)
    temp = "".join(
        f"    {kind}_temp_path {tmp_path}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"{head}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log {tmp_path}/access.log;\n{temp}"
        f"    include {tmp_path}/portail.conf;\n}}\n"
    )
    return conf


@pytest.fixture
def nginx_conf(tmp_path):
    return write_nginx_conf(tmp_path)


def test_nginx_accepts_the_site(nginx_conf, tmp_path):
    result = subprocess.run(
        [
            NGINX,
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(nginx_conf),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


# --- Slow clients --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process (DJANGO_DEBUG=0) on a SQLite file of tmp_path
    unless `extra` names another DATABASE_URL; none of the caller's portal settings leak in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "GUNICORN_"))
        and key not in ("DATABASE_URL", "CACHE_URL")
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'portail.sqlite3'}",
        DJANGO_SETTINGS_MODULE="portal.settings",
        GUNICORN_WORKERS="2",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def start_gunicorn(
    tmp_path: Path, port: int, options: list[str], env: dict | None = None, name="gunicorn"
) -> subprocess.Popen:
    """gunicorn with production settings (`production_env` unless `env`), answering /sante
    (up to 30 s); as bench/load.py starts it, with the options under test and without its
    national data. Its output goes to tmp_path/<name>.log."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log_path = tmp_path / f"{name}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [str(gunicorn), *options, "--bind", f"127.0.0.1:{port}", "portal.wsgi:application"],
        cwd=ROOT, env=env or production_env(tmp_path), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"gunicorn s'est arrêté : {log_path.read_text()}")
        try:
            if fetch(port, "/sante", timeout=1)[0] == 200:
                return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    stop(process)
    pytest.fail("gunicorn ne répond pas.")


class SlowClients:
    """Sockets that send a request's headers one byte a second and never finish them."""

    REQUEST = b"GET /sante HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Lent: " + b"a" * 1000

    def __init__(self, port: int, count: int):
        self.sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        self.sent = [0] * count
        self.errors: list[str] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.trickle, daemon=True)
        self.thread.start()

    def trickle(self):
        while not self.done.is_set():
            for index, sock in enumerate(self.sockets):
                try:
                    sock.sendall(self.REQUEST[self.sent[index] : self.sent[index] + 1])
                    self.sent[index] += 1
                except OSError as error:
                    self.errors.append(f"client lent {index} : {error}")
            self.done.wait(1)

    def close(self):
        self.done.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def answers_despite_slow_clients(tmp_path: Path, options: list[str]) -> tuple[int | str, list]:
    """The status of /sante while SLOW_CLIENTS clients trickle, or what went wrong instead."""
    port = free_port()
    process = start_gunicorn(tmp_path, port, options)
    slow = None
    try:
        slow = SlowClients(port, SLOW_CLIENTS)
        while min(slow.sent) < 3:  # each has sent bytes: accepted and being read by now
            time.sleep(0.2)
        try:
            status = fetch(port, "/sante", timeout=5)[0]
        except (urllib.error.URLError, TimeoutError) as error:
            status = f"pas de réponse en 5 s ({error})"
        return status, slow.errors
    finally:
        if slow is not None:
            slow.close()
        stop(process)


def test_the_site_keeps_answering_while_slow_clients_hold_connections(tmp_path):
    status, slow_client_errors = answers_despite_slow_clients(
        tmp_path, ["--config", str(GUNICORN_CONF)]
    )
    assert status == 200, f"{SLOW_CLIENTS} clients lents arrêtent le site : {status}"
    assert not slow_client_errors  # they were still connected and trickling meanwhile
