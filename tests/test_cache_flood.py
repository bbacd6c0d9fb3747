"""Nobody can flood the page cache or make it do work for them.

Each page keys on the query-string parameters it reads, normalised, and nothing else
(``thet_site/pagecache.py``, "What a page reads"); the stores are bounded
(``tests/test_cache_bounds.py``).
"""

import json
import os
import secrets

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

PROJECTS = "/our-work/projects/"


def entries() -> int:
    """How many entries the page cache holds (the tests' page cache is a folder)."""
    folder = settings.CACHES[settings.PAGE_CACHE_ALIAS]["LOCATION"]
    return sum(name.endswith(".djcache") for name in os.listdir(folder))


def random_value() -> str:
    return secrets.token_urlsafe(12)


@pytest.mark.parametrize(
    "url,unread",
    [
        (PROJECTS, "kind"),  # site search's parameter, which the listing does not read
        (PROJECTS, "year"),  # the publication listing's
        (f"{PROJECTS}data.json", "page"),  # the data file is every row: no page number
        (f"{PROJECTS}data.csv", "page"),
        ("/publications/data.json", "page"),
        ("/about/", "q"),  # a content page reads nothing
        ("/publications/feed/", "q"),
        ("/search/", "theme"),  # search reads q, kind and page only
    ],
)
def test_random_values_of_a_parameter_a_page_does_not_read_add_no_entry(
    client, seeded, url, unread
):
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    held = entries()
    for _ in range(12):
        response = client.get(f"{url}?{unread}={random_value()}&utm_source={random_value()}")
        assert response["X-Page-Cache"] == "hit", (url, unread)
        assert response.content == first.content
    assert entries() == held


def test_the_search_kind_is_one_of_the_kinds_or_none(client, seeded):
    """Search reads ``kind``, but only a known kind is a different page."""
    client.get("/search/?q=health")
    for _ in range(5):
        response = client.get(f"/search/?q=health&kind={random_value()}")
        assert response["X-Page-Cache"] == "hit"
    assert client.get("/search/?q=health&kind=projects")["X-Page-Cache"] == "miss"


@pytest.mark.parametrize(
    "variant",
    [
        "q=HEALTHCARE+Resource",
        "q=resource+healthcare",
        "q=Resource+resource+HealthCare",
        "q=++healthcare,+resource!",
    ],
)
def test_data_files_key_on_the_search_words_in_any_case_order_or_repeats(client, seeded, variant):
    first = client.get(f"{PROJECTS}data.json?q=healthcare+resource")
    assert first["X-Page-Cache"] == "miss"
    data = json.loads(first.content)
    assert data["count"] >= 1  # the words match a project
    response = client.get(f"{PROJECTS}data.json?{variant}")
    assert response["X-Page-Cache"] == "hit", variant
    assert response.content == first.content


def test_without_the_page_cache_a_variant_of_the_search_words_is_not_built_again(
    client, seeded, settings
):
    """A visitor the page cache does not serve (an editor, or the page cache off) gets
    the kept file: the 2,000-row export is not rebuilt for a new spelling of the words."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True
    first = client.get(f"{PROJECTS}data.csv?q=healthcare+resource&theme=ncds")
    with CaptureQueriesContext(connection) as built:
        client.get(f"{PROJECTS}data.csv?q=ncds+healthcare&theme=ncds")  # other words
    for variant in ("q=RESOURCE+healthcare&theme=ncds", "theme=ncds&q=resource+Healthcare"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{PROJECTS}data.csv?{variant}")
        assert response.content == first.content, variant
        assert len(queries) < len(built) / 2, (variant, len(queries), len(built))


def test_the_data_file_says_the_words_it_was_built_for(client, seeded):
    """What a file says it was filtered by is what its shared entry was built for."""
    data = client.get(f"{PROJECTS}data.json?q=Resource+HEALTHCARE+resource").json()
    assert data["filters"] == {"q": "healthcare resource"}
    assert data["source"].endswith(f"{PROJECTS}?q=healthcare+resource")


@pytest.mark.parametrize(
    "url,same_as",
    [
        (f"{PROJECTS}?page=-1", PROJECTS),  # not a page number: the first page
        (f"{PROJECTS}?page=0001", f"{PROJECTS}?page=1"),
        (f"{PROJECTS}?theme=nope&theme=ncds", f"{PROJECTS}?theme=ncds"),  # the last counts
        ("/search/?q=health&page=x", "/search/?q=health"),
        ("/publications/?year=&type=", "/publications/"),
    ],
)
def test_addresses_that_share_an_entry_render_the_same_page(client, seeded, settings, url, same_as):
    """The page sees only what its key holds, so whichever address fills the entry, the
    page is right for every address that shares it (no poisoning with ``?page=-1``)."""
    settings.PAGE_CACHE_ENABLED = False
    assert client.get(url).content == client.get(same_as).content
    settings.PAGE_CACHE_ENABLED = True
    client.get(url)
    assert client.get(same_as)["X-Page-Cache"] == "hit"


def test_a_parameter_the_page_reads_still_makes_its_own_entry(client, seeded):
    client.get(PROJECTS)
    held = entries()
    response = client.get(f"{PROJECTS}?theme=ncds")
    assert response["X-Page-Cache"] == "miss"
    assert entries() > held
    assert client.get(f"{PROJECTS}?utm_source=x&theme=ncds")["X-Page-Cache"] == "hit"
