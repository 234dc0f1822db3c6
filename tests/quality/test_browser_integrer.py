"""The finder on a partner's site, in Chromium: a page served on another port embeds it with
the snippet of /integrer/, a search works inside the frame and the frame follows its height.
And a finder result on paper (print media): the place, the date and the reasons only."""

import html
import re
import threading
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db
TIMEOUT = 10_000  # ms


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def partner_site(tmp_path, live_url):
    """http://127.0.0.1:<another port>/ : a partner's page holding the snippet, as copied."""
    with urllib.request.urlopen(live_url + "/integrer/?profession=medecin-generaliste") as r:
        page = r.read().decode()
    code = re.search(r"<pre[^>]*><code>(.*?)</code></pre>", page, re.S).group(1)
    (tmp_path / "index.html").write_text(
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>URPS</title></head>"
        f"<body><h1>Site d'une URPS</h1>{html.unescape(code)}<p>Pied de page</p></body></html>",
        encoding="utf-8",
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def frame_height(page) -> int:
    return round(page.locator("#portail-acces-soins-aides").bounding_box()["height"])


def test_a_partner_page_embeds_the_finder_and_a_search_works_inside(visit, partner_site):
    page = visit.page
    assert not partner_site.startswith(visit.base_url)
    page.goto(partner_site)
    frame = page.frame_locator("#portail-acces-soins-aides")
    expect(frame.get_by_role("heading", level=1)).to_contain_text("Trouver une aide")
    expect(frame.get_by_label("Profession")).to_have_value("medecin-generaliste")
    # The frame took the height its page posted (not the snippet's 900 px).
    page.wait_for_function(
        "() => document.getElementById('portail-acces-soins-aides').style.height !== ''",
        timeout=TIMEOUT,
    )
    before = frame_height(page)
    visit.step("page du partenaire")

    frame.get_by_label("Commune ou code postal").fill("Saint-Denis (93066)")
    frame.get_by_role("button", name="Rechercher").click()
    title = frame.locator("#titre-resultats")
    expect(title).to_contain_text("à Saint-Denis", timeout=TIMEOUT)
    assert int(re.search(r"(\d+) aide", title.inner_text()).group(1)) > 0
    first = frame.locator("article.aides-carte").first
    expect(first.get_by_text("Pourquoi cette aide s'applique ici")).to_be_visible()
    link = first.locator(".fr-card__title a")
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("title").endswith(" - nouvelle fenêtre")

    # The page of results has another height: it posted it, and the frame follows it.
    inner = frame.locator("body").evaluate("b => Math.ceil(b.getBoundingClientRect().height)")
    assert abs(inner - before) > 50
    page.wait_for_function(
        "inner => Math.abs(document.getElementById('portail-acces-soins-aides')"
        ".getBoundingClientRect().height - inner) <= 2",
        arg=inner,
        timeout=TIMEOUT,
    )
    visit.step("résultats dans le cadre")

    # The aid opens on the portal, in a new tab, not inside the partner's page.
    with page.context.expect_page() as opened:
        link.click()
    new_tab = opened.value
    new_tab.wait_for_load_state()
    assert new_tab.url.startswith(visit.base_url + "/aides/")
    expect(new_tab.locator("header.fr-header")).to_be_visible()


def test_the_portal_itself_cannot_be_framed_by_a_partner(visit, tmp_path, partner_site):
    page = visit.page
    (tmp_path / "autre.html").write_text(
        f"<!DOCTYPE html><html lang='fr'><head><title>x</title></head><body>"
        f"<iframe id='cadre' title='x' src='{visit.base_url}/aides/'></iframe></body></html>",
        encoding="utf-8",
    )
    with page.expect_console_message(lambda m: "frame-ancestors 'none'" in m.text):
        page.goto(partner_site + "autre.html")
    expect(page.frame_locator("#cadre").get_by_role("heading", level=1)).to_have_count(0)
    visit.csp_violations.clear()  # the refusal is what this test expects


def test_a_printed_result_shows_the_place_the_date_and_the_reasons(visit):
    page = visit.page
    visit.goto("/aides/?commune=93066&profession=medecin-generaliste")
    imprimer = page.get_by_role("button", name="Imprimer")
    expect(imprimer).to_be_visible()  # shown by finder.js
    page.emulate_media(media="print")
    expect(page.locator("#recherche-aides")).to_be_hidden()
    expect(imprimer).to_be_hidden()
    expect(page.locator("header.fr-header")).to_be_hidden()
    expect(page.locator("#titre-resultats")).to_contain_text("à Saint-Denis")
    expect(page.get_by_text(re.compile(r"Réponse au \d+ \S+ \d{4}"))).to_be_visible()
    expect(
        page.locator("article.aides-carte").first.get_by_text("Pourquoi cette aide s'applique ici")
    ).to_be_visible()
    visit.step("impression")
