"""Security headers a browser enforces: CSP with a per-request nonce, and the usual hardening."""

import re

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from portal.lib.csp import CspNonceMiddleware

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_home_has_a_strict_script_policy_with_a_fresh_nonce(client):
    first = client.get("/")
    second = client.get("/")
    csp = csp_directives(first)
    nonce = next(v for v in csp["script-src"] if v.startswith("'nonce-"))[7:-1]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert {"https://data.geopf.fr", "https://tile.openstreetmap.org", "data:"} <= set(
        csp["img-src"]
    )
    # The DSFR scripts carry the nonce of this response, and the nonce changes every time.
    assert f'nonce="{nonce}"' in first.content.decode()
    assert nonce not in second["Content-Security-Policy"]


def test_hardening_headers_on_every_response(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    not_found = client.get("/nulle-part/")
    assert "Content-Security-Policy" in not_found


def test_no_inline_script_without_the_nonce_on_any_public_page(client, pages):
    """An inline <script> without the request's nonce would be blocked by the browser (or
    would mean someone weakened the policy); a script file must come from our own origin.
    Every public page is checked, maps included."""
    offenders = []
    for page in pages.values():
        if page.url is None:
            continue
        response = client.get(page.url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        for attributes in SCRIPT_TAG.findall(response.content.decode()):
            src = re.search(r'\bsrc="([^"]*)"', attributes)
            foreign = src and (not src.group(1).startswith("/") or src.group(1).startswith("//"))
            if foreign:
                offenders.append(f"{page.url}: script d'une autre origine <script{attributes}>")
            elif not src and f'nonce="{nonce}"' not in attributes:
                offenders.append(f"{page.url}: script en ligne sans nonce <script{attributes}>")
    assert offenders == []


# Pages a browser gets most, and answers that render no script (health, API, download).
KEY_PAGES = ("/", "/carte/", "/bilan/", "/admin/login/", "/sante", "/api/v1/structures")


def test_key_pages_carry_the_nonce_in_their_policy_and_map_scripts(client, pages):
    """django-csp writes the nonce into the header only if the response read it: every key
    page carries one, and every inline script of a map page carries the header's nonce."""
    urls = dict.fromkeys([*KEY_PAGES, *(page.url for page in pages.values() if page.url)])
    map_pages = []
    for url in urls:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        found = re.search(r"script-src 'self' 'nonce-([^' ]+)'", policy)
        assert found, f"{url}: {policy}"
        html = response.content.decode(errors="replace")
        if "L.map(" not in html:
            continue
        map_pages.append(url)
        inline = [tag for tag in SCRIPT_TAG.findall(html) if "src=" not in tag]
        assert inline
        assert all(f'nonce="{found.group(1)}"' in tag for tag in inline), url
    assert "/carte/" in map_pages
    assert len(map_pages) >= 3


def test_an_oversized_body_is_refused_before_the_other_guards(client, settings):
    """The size guard comes first: a huge body to an address with a NUL is a 413, not the
    NUL guard's 400 (which would have let the request further in)."""
    settings.IMPORT_MAX_FILE_SIZE = 1024 * 1024
    response = client.post(
        "/carte/?q=%00", data=b"x", content_type="text/plain", CONTENT_LENGTH=str(50 * 1024**2)
    )
    assert response.status_code == 413


def test_csp_nonce_tag_gives_the_current_request_nonce():
    """Templates without the request (widgets) read the nonce through {% csp_nonce %}."""
    template = Template('{% load portal_security %}<script nonce="{% csp_nonce %}"></script>')

    def view(request):
        return HttpResponse(template.render(Context()))

    request = RequestFactory().get("/")
    response = CSPMiddleware(CspNonceMiddleware(view))(request)
    assert f'nonce="{request.csp_nonce}"'.encode() in response.content
    assert request.csp_nonce in response["Content-Security-Policy"]
    assert Template("{% load portal_security %}[{% csp_nonce %}]").render(Context()) == "[]"


def test_oversized_request_bodies_are_refused_before_being_read(client, settings):
    settings.IMPORT_MAX_FILE_SIZE = 1024 * 1024
    response = client.post(
        "/admin/login/", data=b"x", content_type="text/plain", CONTENT_LENGTH=str(50 * 1024**2)
    )
    assert response.status_code == 413
    assert "trop volumineux" in response.content.decode()


def test_a_malformed_content_length_is_a_400(client):
    response = client.post(
        "/admin/login/", data=b"x", content_type="text/plain", CONTENT_LENGTH="x"
    )
    assert response.status_code == 400
    assert "Longueur de requête invalide" in response.content.decode()
