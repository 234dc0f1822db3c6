"""Links that carry the current search: Django's {% querystring %} (the DSFR pagination partial,
the map pages' links), so a filter is never lost when paging or downloading."""

import re

import pytest
from django.core.paginator import Paginator
from django.template import RequestContext, Template
from django.test import RequestFactory

pytestmark = pytest.mark.django_db  # the session's reference data fixtures need the database


def render_pagination(url: str, page: int) -> str:
    paginator = Paginator(range(100), 10)
    page_obj = paginator.get_page(page)
    page_obj.pages_list = list(paginator.get_elided_page_range(page, on_each_side=2))
    request = RequestFactory().get(url)
    template = Template("{% load dsfr_tags %}{% dsfr_pagination page_obj %}")
    return template.render(RequestContext(request, {"page_obj": page_obj}))


def test_pagination_links_keep_every_parameter_and_replace_the_page():
    html = render_pagination("/carte/?type=msp&type=centre-sante&page=4&region=11", 4)
    links = set(re.findall(r'href="([^"]*)"', html))
    assert "?type=msp&amp;type=centre-sante&amp;page=1&amp;region=11" in links
    assert "?type=msp&amp;type=centre-sante&amp;page=3&amp;region=11" in links
    assert "?type=msp&amp;type=centre-sante&amp;page=10&amp;region=11" in links
    assert all("page=4&amp;page" not in link for link in links)


def test_pagination_without_a_search_gives_the_page_alone():
    html = render_pagination("/aides/", 1)
    assert 'href="?page=2"' in html
    assert 'href="?page=10"' in html


# Query strings still assembled elsewhere than in a template: the finder's relaxation
# suggestions (aides.search, several keys dropped per suggestion) and the zonages address
# candidates (the view's filtered map state).
HAND_MADE_LEFT = {"aides/partials/resultats.html", "territoires/zonages/partials/adresse.html"}
HAND_MADE = re.compile(r"\?\{\{|url_remplace_params|\|urlencode")


def test_templates_build_query_strings_with_the_querystring_tag(settings):
    root = settings.BASE_DIR / "templates"
    offenders = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if HAND_MADE.search(path.read_text(encoding="utf-8"))
        and str(path.relative_to(root)) not in HAND_MADE_LEFT
    )
    assert offenders == []
