"""Fixtures of the quality gates: demonstration data, a live server, Debian's Chromium.

The live server shares the test's database connection (and so its transaction): the
session-wide reference data stay in place, each test's changes are rolled back, and the
server serves one request at a time so that the connection is never used by two threads
at once. The browser may only reach the live server: anything else (map tiles…) is aborted.
"""

import io
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command, get_commands
from django.core.servers.basehttp import WSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections, transaction
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler, _MediaFilesHandler

from tests.quality import stats

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
]
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The only third-party requests a page may make: map tiles (aborted in tests).
TILE_HOSTS = ("https://data.geopf.fr/", "https://tile.openstreetmap.org/")
# Steps of setup_demo already run by the session's reference data fixture (tests/conftest.py).
SKIPPED_SETUP_STEPS = {"migrate", "import_cog", "import_contours_local"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def pytest_terminal_summary(terminalreporter):
    for line in stats.summary_lines():
        terminalreporter.write_line(line)


# --- Demonstration data, loaded once for the package and rolled back after it ---------------


@pytest.fixture(scope="package")
def demo_data(django_db_setup, django_db_blocker):
    """Every demo step of `setup_demo` that exists so far (zonings, aids, structures…).

    Loaded inside a transaction that is rolled back when the package ends, so the other test
    packages never see these rows.
    """
    from portal.management.commands.setup_demo import STEPS

    available = get_commands()
    ran = [name for name, _ in STEPS if name in available and name not in SKIPPED_SETUP_STEPS]
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        for name, kwargs in STEPS:
            if name in ran:
                started = time.perf_counter()
                call_command(name, **kwargs, stdout=io.StringIO(), stderr=io.StringIO())
                stats.setup_seconds[name] = time.perf_counter() - started
    yield ran
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture(scope="package")
def pages(demo_data, django_db_blocker):
    """Every public route with real path values (discovery.public_pages), found once."""
    from django.test import Client

    from tests.quality.discovery import public_pages

    with django_db_blocker.unblock():
        return {page.name: page for page in public_pages(Client())}


# --- Live server sharing the test's connection ------------------------------------------------


class _SharedConnectionServerThread(LiveServerThread):
    def _create_server(self, connections_override=None):
        # Not threaded: requests are served one after the other on the shared connection.
        return WSGIServer(
            (self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False
        )

    def run(self):
        for alias, conn in self.connections_override.items():
            connections[alias] = conn
        try:
            handler = self.static_handler(_MediaFilesHandler(WSGIHandler()))
            self.httpd = self._create_server()
            self.port = self.httpd.server_address[1]
            self.httpd.set_app(handler)
            self.is_ready.set()
            self.httpd.serve_forever()
        except Exception as error:  # reported to the fixture, which fails the test
            self.error = error
            self.is_ready.set()


@pytest.fixture
def live_url(db, demo_data):
    """Base URL of a server seeing exactly what the test sees (same transaction)."""
    overrides = {alias: connections[alias] for alias in connections}
    for conn in overrides.values():
        conn.inc_thread_sharing()
    # Like Django's test client: a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    thread = _SharedConnectionServerThread("127.0.0.1", StaticFilesHandler, overrides)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        for conn in overrides.values():
            conn.dec_thread_sharing()


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium introuvable ({CHROMIUM}) : `./dev.sh test` l'installe "
            "(apt-get install chromium), ou réglez PORTAL_CHROMIUM."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django would take the test's
    # plain synchronous database calls for calls from async code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Visit:
    """A browser tab on the live server that keeps a screenshot of each step of a journey."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.shots: list[tuple[str, bytes]] = []
        self.csp_violations: list[str] = []
        self.js_errors: list[str] = []
        self.server_errors: list[str] = []
        self.blocked: list[str] = []

    def goto(self, path: str, **kwargs):
        response = self.page.goto(self.base_url + path, **kwargs)
        return response

    def step(self, name: str) -> None:
        self.shots.append((name, self.page.screenshot(full_page=True)))

    def problems(self) -> list[str]:
        foreign = [url for url in self.blocked if not url.startswith(TILE_HOSTS)]
        return (
            [f"ressource externe (CDN ?) : {url}" for url in foreign]
            + [f"CSP : {m}" for m in self.csp_violations]
            + [f"erreur JavaScript : {m}" for m in self.js_errors]
            + [f"erreur serveur : {m}" for m in self.server_errors]
        )


def _is_local(url: str) -> bool:
    return bool(re.match(r"^(https?://(127\.0\.0\.1|localhost)(:\d+)?/|data:|blob:|about:)", url))


@pytest.fixture
def visit(request, browser, live_url):
    """A fresh browser context on the live server; fails on CSP violations, JS errors, 5xx."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    # Generous: a cold « Où m'installer ? » for a région is computed on the first visit, and
    # CI runs two suites on 2 cores.
    context.set_default_timeout(30_000)
    page = context.new_page()
    v = Visit(page, live_url)

    def route(route_obj):
        if _is_local(route_obj.request.url):
            route_obj.continue_()
        else:
            v.blocked.append(route_obj.request.url)
            route_obj.abort()

    context.route("**/*", route)
    page.on(
        "console",
        lambda msg: (
            v.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    page.on("pageerror", lambda error: v.js_errors.append(str(error)))
    page.on(
        "response",
        lambda resp: (
            v.server_errors.append(f"{resp.status} {resp.url}") if resp.status >= 500 else None
        ),
    )
    yield v
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    problems = v.problems()
    if failed or problems or os.environ.get("PORTAL_KEEP_SCREENSHOTS"):
        _save_artifacts(request.node.nodeid, v)
    context.close()
    if problems:
        pytest.fail("Problèmes relevés dans le navigateur :\n" + "\n".join(problems))


def _save_artifacts(nodeid: str, v: Visit) -> None:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", nodeid)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    for index, (name, png) in enumerate(v.shots, start=1):
        safe_name = re.sub(r"[^\w-]+", "_", name)
        (folder / f"{index:02d}-{safe_name}.png").write_bytes(png)
    try:
        (folder / "zz-echec.png").write_bytes(v.page.screenshot(full_page=True))
        (folder / "zz-echec.html").write_text(v.page.content(), encoding="utf-8")
    except Exception:  # the page may be gone: the step screenshots are kept anyway
        pass


# --- axe-core ---------------------------------------------------------------------------------

BLOCKING_IMPACTS = {"serious", "critical"}


def run_axe(page) -> list[dict]:
    """axe-core's violations on the current page (evaluated through the DevTools protocol,
    which the page's CSP does not restrict)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return result


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"- [{v['impact']}] {v['id']} : {v['help']} → {v['nodes']}" for v in violations
    )
