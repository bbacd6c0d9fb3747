"""Site search matches word forms on both databases: "volunteer" finds what "volunteers"
finds, "maternal" finds the project with the Maternity Hospital. PostgreSQL stems with
the 'english' text search configuration, SQLite with the FTS5 table's Porter tokenizer
(``pages/migrations/0008_news_search_stemming.py``).

These run on whichever database DATABASE_URL names (SQLite by default, PostgreSQL in CI's
second pass), as the ranking tests in ``tests/test_search.py`` do; the two tests that look
at how each database is set up run only on their own database.
"""

import re

import pytest
from django.conf import settings
from django.db import connection
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

NEPAL = "/our-work/projects/colposcopy-cervical-pathology-kathmandu-nepal/"
SCHEME = "/our-work/health-partnership-scheme/"
STORY = "/news/health-partnership-volunteers-nepal-earthquake/"

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's text search configuration"
)


def result_links(client, query, **params) -> list[str]:
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return re.findall(r'<h3 class="card__title"><a href="([^"]+)"', response.content.decode())


def found(query) -> set[str]:
    """The pages the backend finds for ``query`` (every word), as URL paths."""
    pages = Page.objects.live().filter(depth__gt=1)
    results = get_search_backend().search(query, pages, operator="and")
    return {page.url for page in results}


def test_volunteer_finds_what_volunteers_finds(seeded):
    plural = found("volunteers")
    assert SCHEME in plural and STORY in plural
    assert found("volunteer") == plural
    assert found("volunteering") >= {SCHEME, STORY}


def test_maternal_finds_the_maternity_hospital_project(seeded, client):
    assert NEPAL in found("maternal")
    assert NEPAL in result_links(client, "maternal")
    assert NEPAL in result_links(client, "maternity", kind="projects")


def test_word_forms_through_the_results_page(seeded, client):
    """The visitor's view: the singular lists every page the plural does."""
    plural = result_links(client, "volunteers")
    assert plural and set(result_links(client, "volunteer")) == set(plural)
    # Stemming does not blur everything: a word that is not on the site finds nothing.
    assert result_links(client, "volcanoes") == []


def test_stemming_keeps_the_bounded_query(seeded, client):
    """Seven word forms: only six are searched, and the page says which was left out."""
    response = client.get(
        "/search/", {"q": "volunteers nepal earthquake hospitals partners training maternity"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "maternity" in html.split('id="ignored-words"')[1].split("</p>")[0]


@on_sqlite
def test_the_sqlite_index_stems_words(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'wagtailsearch_indexentry_fts'")
        (sql,) = cursor.fetchone()
    assert "tokenize='porter unicode61'" in sql


@on_postgresql
@pytest.mark.django_db
def test_postgresql_searches_with_the_english_configuration(seeded):
    assert settings.WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] == "english"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('english', 'volunteers maternity')::text")
        assert cursor.fetchone()[0] == "'matern':2 'volunt':1"
    assert get_search_backend().config == "english"
