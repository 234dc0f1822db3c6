"""Map and bilan pages run in a real browser with no network: only our own static files.

The page comes from the Django test client (with its CSP header), and so do the map layers
it declares (GeoJSON under /carte/couches/, fetched before the browser starts); the browser
may fetch nothing else but our static files, served from the staticfiles finders. Any other
request is refused and reported, so a CDN or tile server the page would depend on fails.
"""

import json
import mimetypes
import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.usefixtures("demo_db", "no_network_tiles")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
ORIGIN = "http://localhost:8765"  # never reached: every request is answered below
LAYERS = re.compile(r'<script\b[^>]*type="application/json"[^>]*>(.*?)</script>', re.DOTALL)


@contextmanager
def offline_page(client, path):
    """A browser tab showing `path`: yields (page, problems).

    The page is rendered by Django first: once Playwright runs its event loop in this
    thread, Django would open another database connection, blind to the test's data.
    """
    response = client.get(path)
    assert response.status_code == 200
    answers = {path: response}
    for text in LAYERS.findall(response.content.decode()):
        for url in json.loads(text).get("urls", []):
            answers[url] = client.get(url)
            assert answers[url].status_code == 200, url
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium introuvable ({CHROMIUM}) : installez-le ou réglez PORTAL_CHROMIUM.")
    from playwright.sync_api import sync_playwright

    problems = []

    def route(request_route):
        url = request_route.request.url
        answer = answers.get(url.removeprefix(ORIGIN)) if url.startswith(ORIGIN) else None
        if answer is not None:
            headers = {k: v for k, v in answer.items() if k.lower() != "content-length"}
            return request_route.fulfill(status=200, headers=headers, body=answer.content)
        if url.startswith(f"{ORIGIN}/static/"):
            found = finders.find(url[len(f"{ORIGIN}/static/") :].split("?")[0])
            if found:
                kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return request_route.fulfill(
                    status=200, body=Path(found).read_bytes(), content_type=kind
                )
        problems.append(f"requête refusée : {url}")
        return request_route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.route("**/*", route)
        page.on("pageerror", lambda error: problems.append(f"erreur JavaScript : {error}"))
        page.on(
            "console",
            lambda msg: msg.type == "error" and problems.append(f"console : {msg.text}"),
        )
        page.goto(ORIGIN + path, wait_until="load")
        try:
            yield page, problems
        finally:
            browser.close()


def test_regional_map_draws_choropleth_and_clusters_offline(client):
    with offline_page(client, "/carte/") as (page, problems):
        page.wait_for_selector(".marker-cluster", timeout=10_000)
        assert page.locator("path.leaflet-interactive").count() == 8  # the 8 départements
        assert page.locator(".marker-cluster").count() > 0
        assert problems == []


def test_departement_map_popups_name_a_structure(client):
    with offline_page(client, "/carte/93/") as (page, problems):
        single = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
        single.first.wait_for(timeout=10_000)
        page.wait_for_load_state("networkidle")
        for index in range(min(single.count(), 5)):  # a marker may sit under another one
            single.nth(index).click(timeout=5_000)
            if page.locator(".leaflet-popup-content").count():
                break
        popup = page.locator(".leaflet-popup-content").inner_text(timeout=5_000)
        assert "Type : " in popup and "Commune : " in popup and "Année de décision : " in popup
        assert problems == []


def test_bilan_charts_are_drawn_from_local_files(client):
    with offline_page(client, "/bilan/") as (page, problems):
        page.locator("bar-chart canvas").nth(4).wait_for(state="attached", timeout=10_000)
        assert page.locator("bar-chart canvas").count() == 5
        assert problems == []
