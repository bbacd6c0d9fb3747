"""The sitemap at ten times THET's size and its dates: an index of pages of at
most ``SITEMAP_PAGE_SIZE`` URLs, a fixed number of queries each, no private or draft page,
and each page's own last publication as its ``<lastmod>``."""

import datetime
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from pages.models import ContentPage
from pages.sitemaps import SITEMAP_PAGE_SIZE
from partnerships.importers import import_projects
from tests.factories import ContentPageFactory, home_page, publication_index_page
from tests.test_import import project_rows, to_csv
from tests.test_metadata import SITEMAP_NS, sitemap_entries


def parts(client) -> list[str]:
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    return [loc.text for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS)]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.django_db
def test_lastmod_is_each_pages_own_last_publication(seeded, client, full_render):
    about = ContentPageFactory(title="About the sitemap")
    about.title = "About THET"
    with time_machine.travel(datetime.datetime(2031, 3, 4, 10, 0, tzinfo=datetime.UTC)):
        about.save_revision().publish()
    entries = sitemap_entries(client)
    pages = {page.full_url: page for page in Page.objects.live().public().filter(depth__gt=1)}
    assert set(entries) == set(pages)
    for url, lastmod in entries.items():
        assert lastmod.text == pages[url].last_published_at.date().isoformat(), url
    assert entries[about.full_url].text == "2031-03-04"
    # The index says when the newest of its pages changed.
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    assert index.find("s:sitemap/s:lastmod", SITEMAP_NS).text.startswith("2031-03-04")


@pytest.mark.django_db
def test_private_and_draft_pages_are_never_listed(seeded, client, full_render):
    trustees = ContentPageFactory(title="Trustees")
    ContentPageFactory(parent=trustees, title="Board minutes")
    restriction = PageViewRestriction.objects.create(
        page=trustees, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get(name="Comms editors"))
    draft = home_page().add_child(
        instance=ContentPage(title="Coming soon", slug="coming-soon", live=False)
    )
    draft.save_revision()
    entries = " ".join(sitemap_entries(client))
    assert "/trustees/" not in entries
    assert "/board-minutes/" not in entries
    assert "/coming-soon/" not in entries
    assert "/publications/" in entries
    # A page with a newer draft is listed with its live version's date.
    publications = publication_index_page()
    published = publications.last_published_at
    publications.title = "Draft title"
    publications.save_revision()
    lastmods = {loc: el.text for loc, el in sitemap_entries(client).items()}
    assert lastmods[publications.full_url] == published.date().isoformat()


@pytest.mark.django_db
def test_sitemap_pages_are_bounded_and_their_queries_flat(seeded, client, full_render):
    seed = {"index": queries(client, "/sitemap.xml"), "page": queries(client, parts(client)[0])}
    report = import_projects(to_csv(project_rows(SITEMAP_PAGE_SIZE)))
    assert report.ok
    urls = parts(client)
    assert len(urls) == 2
    big = {"index": queries(client, "/sitemap.xml")}
    big["page"] = max(queries(client, url) for url in urls)
    # One query per page type on a sitemap page (Wagtail's ``specific()``), so a page of
    # projects only needs fewer than the seed's mixed page.
    # 6: the index's own <loc>s are on the public address, one Site look-up more.
    assert big["index"] == seed["index"] <= 6
    assert big["page"] <= seed["page"] <= 15
    entries = {}
    for url in urls:
        root = ET.fromstring(client.get(url).content)  # noqa: S314
        found = root.findall("s:url", SITEMAP_NS)
        assert len(found) <= SITEMAP_PAGE_SIZE
        entries.update({u.find("s:loc", SITEMAP_NS).text: u for u in found})
    assert len(entries) == Page.objects.live().public().filter(depth__gt=1).count()
    assert client.get("/sitemap-pages.xml?p=99").status_code == 404


def test_a_sitemap_page_rendered_again_runs_no_queries_until_content_changes(
    seeded, client, settings
):
    about = ContentPageFactory(title="About the sitemap")
    """Kept under the content generation like the pages: a crawler walking every
    sitemap page after a publish renders each once (page cache off, as in the bench)."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True

    def fetch(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return response, len(captured)

    first, cold = fetch("/sitemap-pages.xml?p=1")
    second, warm = fetch("/sitemap-pages.xml?p=1")
    assert cold > 0 and warm == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert fetch("/sitemap.xml")[1] > 0 and fetch("/sitemap.xml")[1] == 0
    about.save_revision().publish()  # a new generation: rendered again, then kept
    assert fetch("/sitemap-pages.xml?p=1")[1] > 0
    assert fetch("/sitemap-pages.xml?p=1")[1] == 0
    assert client.get("/sitemap-pages.xml?p=99").status_code == 404
