"""The top layer: what composes the apps, moved out of ``pages`` so the base layer
imports no feature app. Site search's own behaviour is tests/test_search.py; these check
what the move could have broken."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from news.models import NewsStoryPage
from pages.models import ContentPage, HomePage
from partnerships.models import Country, ProjectPage
from policy.models import PublicationPage, PublicationType
from sitewide.search import KIND_SLUGS, TAXONOMY_RELATIONS, kind_of

pytestmark = pytest.mark.django_db


def newest_publications(count):
    return list(
        PublicationPage.objects.live()
        .public()
        .order_by("-publication_date", "-pk")
        .values_list("title", flat=True)[:count]
    )


def render_tag(source: str) -> str:
    return Template("{% load sitewide_tags %}" + source).render(Context({}))


def test_latest_publications_are_the_newest_three_live_ones(seeded):
    expected = newest_publications(3)
    assert len(expected) == 3
    shown = render_tag(
        "{% latest_publications as items %}{% for p in items %}{{ p.title }}|{% endfor %}"
    )
    assert shown.split("|")[:-1] == expected
    # Unpublishing the newest brings in the fourth.
    PublicationPage.objects.get(title=expected[0]).unpublish()
    shown = render_tag(
        "{% latest_publications as items %}{% for p in items %}{{ p.title }}|{% endfor %}"
    )
    assert shown.split("|")[:-1] == newest_publications(3) != expected
    assert expected[0] not in shown


def test_latest_publications_take_a_count(seeded):
    shown = render_tag("{% latest_publications 1 as items %}{{ items|length }}")
    assert shown == "1"


def test_the_home_page_asks_for_its_publications_only_when_it_renders_them(
    seeded, client, settings, full_render
):
    """The tag runs inside the content fragment: a kept fragment costs no publication query."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True
    table = PublicationPage._meta.db_table

    def publication_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return [q["sql"] for q in captured if table in q["sql"]]

    assert publication_queries()  # the first render: the content fragment is made
    assert publication_queries() == []  # kept: the tag did not run


def test_the_home_page_context_no_longer_carries_publications(seeded, rf):
    home = HomePage.objects.get()
    request = rf.get("/")
    assert "latest_publications" not in home.get_context(request)


def test_kinds_cover_every_page_type():
    assert KIND_SLUGS == ("projects", "publications", "news", "pages")
    assert kind_of(ProjectPage).slug == "projects"
    assert kind_of(PublicationPage).slug == "publications"
    assert kind_of(NewsStoryPage).slug == "news"
    assert kind_of(ContentPage).slug == "pages"
    assert kind_of(Page).slug == "pages"
    assert kind_of(None).slug == "pages"


def test_every_taxonomy_is_reindexed_under_its_own_relations():
    for model, relations in TAXONOMY_RELATIONS.items():
        for relation in relations:
            assert hasattr(model, relation), (model, relation)


def test_renamed_country_and_publication_type_are_found_by_their_new_names(seeded, client):
    """The re-indexing signal, connected by sitewide's AppConfig, for both feature apps."""
    country = Country.objects.get(iso_code="NP")
    country.name = "Nepalokingdom"
    country.save()
    html = client.get("/search/", {"q": "Nepalokingdom"}).content.decode()
    assert "/our-work/projects/colposcopy-cervical-pathology-kathmandu-nepal/" in html

    kind = PublicationType.objects.get(publications__slug="general-election-2024-briefing")
    kind.name = "Manifestoreview"
    kind.save()
    html = client.get("/search/", {"q": "Manifestoreview"}).content.decode()
    assert "/publications/general-election-2024-briefing/" in html
