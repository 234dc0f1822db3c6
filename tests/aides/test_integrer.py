"""The finder on partners' sites: the snippet page, the embedded finder, who may frame what."""

import html as htmllib

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from portal.middleware import SecurityHeadersMiddleware
from tests.quality.test_security_headers import csp_directives

pytestmark = pytest.mark.django_db
PAGE = reverse("aides:integrer")
EMBED = reverse("aides:integrer_recherche")
SEARCH = {"commune": "Saint-Denis (93066)", "profession": "medecin-generaliste"}


def snippet(response) -> str:
    content = response.content.decode()
    code = content.split("<pre", 1)[1].split("<code>", 1)[1].split("</code>", 1)[0]
    return htmllib.unescape(code)  # what a partner copies


def test_the_snippet_page_gives_a_frame_and_the_resizing_script(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    code = snippet(response)
    assert '<iframe id="portail-acces-soins-aides" src="http://testserver/integrer/recherche/"' in (
        code
    )
    assert "title=\"Trouver une aide à l'installation" in code
    assert '<script src="http://testserver/static/aides/integrer/partenaire.js" async>' in code
    # Shown as text, never as a frame of the page itself.
    assert "<iframe" not in response.content.decode()


def test_the_snippet_is_preset_to_a_departement_and_a_profession(client):
    response = client.get(PAGE, {"departement": "93", "profession": "infirmier"})
    code = snippet(response)
    src = "http://testserver/integrer/recherche/?departement=93&amp;profession=infirmier"
    assert f'src="{src}"' in code


def test_an_unknown_preset_is_a_french_400(client):
    response = client.get(PAGE, {"departement": "2A<script>", "profession": "plombier"})
    content = response.content.decode()
    assert response.status_code == 400
    assert "Département inconnu" in content and "Profession inconnue" in content
    assert "<script>" not in snippet(response).replace("<script src=", "")
    embedded = client.get(EMBED, {"departement": "999"})
    assert embedded.status_code == 400
    assert "Département inconnu" in embedded.content.decode()


def test_the_embedded_finder_answers_a_search_without_the_sites_header_nor_cookie(client, aides):
    response = client.get(EMBED, SEARCH)
    content = response.content.decode()
    assert response.status_code == 200
    assert "2 aides" in content and "à Saint-Denis" in content
    assert "Pourquoi cette aide s'applique ici" in content
    assert 'class="fr-header"' not in content and "fr-footer" not in content
    assert response.cookies == {}
    assert "csrfmiddlewaretoken" not in content  # nothing to post inside the frame
    # The search stays in the frame; the aids open on the portal, in a new window.
    assert f'action="{EMBED}"' in content
    assert (
        '<a href="/aides/aide-zip/?commune=93066&amp;profession=medecin-generaliste" '
        'target="_blank" rel="noopener" title="Aide aux médecins en ZIP - nouvelle fenêtre">'
    ) in content
    assert 'src="/static/aides/integrer/cadre.js"' in content


def test_only_the_embedded_finder_may_be_framed(client, aides):
    embedded = client.get(EMBED, SEARCH)
    assert csp_directives(embedded)["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in embedded
    for url in (reverse("aides:finder"), PAGE, "/"):
        response = client.get(url)
        assert csp_directives(response)["frame-ancestors"] == ["'none'"], url
        assert response["X-Frame-Options"] == "DENY", url


def test_the_framing_sites_can_be_restricted(client, settings, aides):
    settings.PORTAL_EMBED_ANCESTORS = ["https://www.ars.sante.fr", "https://urps.example"]
    response = client.get(EMBED, SEARCH)
    assert csp_directives(response)["frame-ancestors"] == [
        "https://www.ars.sante.fr",
        "https://urps.example",
    ]


def test_a_departement_preset_is_kept_and_a_commune_elsewhere_is_told(client, aides):
    content = client.get(
        EMBED, {"departement": "77", "commune": "93066", "profession": "medecin-generaliste"}
    ).content.decode()
    assert "Trouver une aide à l'installation en Seine-et-Marne" in content
    assert '<input type="hidden" name="departement" value="77">' in content
    assert "Saint-Denis n&#x27;est pas en Seine-et-Marne (77)" in content
    assert "Aide aux médecins en ZIP" in content  # still the answer for Saint-Denis


def test_the_embedded_finder_reads_few_queries(client, aides, django_assert_max_num_queries):
    client.get(EMBED, SEARCH)  # warm the zone index and the locator
    with django_assert_max_num_queries(12):
        response = client.get(EMBED, {**SEARCH, "departement": "93"})
    assert "2 aides" in response.content.decode()


def test_partners_pages_may_load_the_resizing_script_and_nothing_else(rf: RequestFactory):
    middleware = SecurityHeadersMiddleware(lambda request: HttpResponse())
    script = middleware(rf.get("/static/aides/integrer/partenaire.js"))
    hashed = middleware(rf.get("/static/aides/integrer/partenaire.3f2a9c.js"))
    other = middleware(rf.get("/static/aides/finder.js"))
    assert script["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert hashed["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert other["Cross-Origin-Resource-Policy"] == "same-origin"
