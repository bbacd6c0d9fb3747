"""The whole-page cache for anonymous visitors and its invalidation."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import QueryDict
from django.middleware.csrf import get_token
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from pages.models import ContentPage, SiteFooter
from partnerships.models import Country
from thet_site import pagecache

pytestmark = pytest.mark.django_db


def about():
    return ContentPage.objects.get(slug="about")


def test_second_visit_is_served_from_the_cache_without_queries(client, seeded):
    first = client.get("/about/")
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/about/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert len(queries) == 0


def test_key_includes_host_path_and_query(client, seeded, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver", "127.0.0.1"]
    client.get("/search/?q=health")
    assert client.get("/search/?q=health")["X-Page-Cache"] == "hit"
    assert client.get("/search/?q=nurses")["X-Page-Cache"] == "miss"
    assert client.get("/search/?q=health", HTTP_HOST="localhost")["X-Page-Cache"] == "miss"
    assert client.get("/search/?q=health", secure=True)["X-Page-Cache"] == "miss"


def test_publishing_a_change_shows_at_once(client, seeded):
    assert "Rewritten for launch day" not in client.get("/about/").content.decode()
    assert client.get("/about/")["X-Page-Cache"] == "hit"
    page = about()
    page.title = "Rewritten for launch day"
    page.save_revision().publish()
    response = client.get("/about/")
    assert response["X-Page-Cache"] == "miss"
    assert "Rewritten for launch day" in response.content.decode()
    # Other pages show the title too (menus, breadcrumbs): they are refreshed as well.
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_saving_a_draft_does_not_show_it(client, seeded):
    client.get("/about/")
    page = about()
    page.title = "A draft nobody should see"
    page.save_revision()
    assert "A draft nobody should see" not in client.get("/about/").content.decode()


def test_unpublishing_hides_the_page_at_once(client, seeded):
    assert client.get("/about/").status_code == 200
    about().unpublish()
    assert client.get("/about/").status_code == 404


def test_deleting_a_page_removes_it_at_once(client, seeded):
    assert client.get("/about/").status_code == 200
    about().delete()
    assert client.get("/about/").status_code == 404


def test_moving_a_page_moves_it_at_once(client, seeded):
    our_work = Page.objects.get(slug="our-work")
    assert client.get("/about/").status_code == 200
    about().move(our_work, pos="last-child")
    old = client.get("/about/")
    assert old.status_code in (301, 404)  # Wagtail may leave a redirect behind
    assert old.status_code == 404 or old["Location"].endswith("/our-work/about/")
    assert client.get("/our-work/about/").status_code == 200


def test_saving_a_setting_refreshes_pages(client, seeded):
    client.get("/")
    footer = SiteFooter.for_site(Site.objects.get(is_default_site=True))
    footer.organisation_name = "Global Health Partnerships"
    footer.save()
    assert "Global Health Partnerships" in client.get("/").content.decode()


def test_saving_a_snippet_refreshes_pages(client, seeded):
    client.get("/our-work/projects/")
    country = Country.objects.order_by("pk").first()
    assert client.get("/our-work/projects/")["X-Page-Cache"] == "hit"
    country.name = "Renamed Republic"
    country.save()
    assert client.get("/our-work/projects/")["X-Page-Cache"] == "miss"


def test_logged_in_editors_are_never_served_or_stored(client, seeded):
    editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "x-long-pass-12")
    client.get("/about/")  # stored for visitors
    client.force_login(editor)
    response = client.get("/about/")
    assert "X-Page-Cache" not in response  # bypassed: has a session
    assert "wagtail-userbar" in response.content.decode()
    client.logout()
    visitor = type(client)()
    assert "wagtail-userbar" not in visitor.get("/about/").content.decode()


def test_posts_admin_and_health_are_not_cached(client, seeded):
    client.get("/health/")
    assert "X-Page-Cache" not in client.get("/health/")
    assert "X-Page-Cache" not in client.get("/admin/login/")
    response = client.post("/search/", {"q": "health"})
    assert "X-Page-Cache" not in response


def test_responses_that_set_cookies_are_not_stored(client, seeded, monkeypatch):
    original = ContentPage.serve

    def serve_with_form(self, request, *args, **kwargs):
        get_token(request)  # as a page with a POST form would
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(ContentPage, "serve", serve_with_form)
    first = client.get("/about/")
    assert "csrftoken" in first.cookies
    assert client.get("/about/")["X-Page-Cache"] == "miss"


def test_etag_and_last_modified_give_304(client, seeded):
    response = client.get("/about/")
    etag, modified = response["ETag"], response["Last-Modified"]
    assert "max-age=0" in response["Cache-Control"]
    assert client.get("/about/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/about/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    page = about()
    page.title = "Changed"
    page.save_revision().publish()
    assert client.get("/about/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_cached_pages_are_served_while_the_database_is_down(client, seeded, monkeypatch):
    assert client.get("/about/").status_code == 200

    def refuse(self, *args, **kwargs):
        raise DatabaseError("could not connect to server")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    response = client.get("/about/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"
    assert "About" in response.content.decode()
    assert client.get("/health/").status_code == 503


def test_a_cache_outage_does_not_break_the_site(client, seeded, monkeypatch):
    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(pagecache, "page_cache", broken)
    response = client.get("/about/")
    assert response.status_code == 200
    page = about()
    page.title = "Still publishable"
    page.save_revision().publish()  # invalidation fails quietly
    assert "Still publishable" in client.get("/about/").content.decode()


def test_page_cache_can_be_switched_off(client, seeded, settings):
    settings.PAGE_CACHE_ENABLED = False
    client.get("/about/")
    assert "X-Page-Cache" not in client.get("/about/")


def test_health_reports_database_and_cache(client, seeded):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_health_is_503_when_the_database_is_down(client, seeded, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise DatabaseError("could not connect to server")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_health_reports_a_cache_outage_as_degraded(client, seeded, monkeypatch):
    def broken(self, *args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(LocMemCache, "set", broken)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


def test_health_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200
    assert client.get("/about/").status_code == 301


# --- The key: the path and only the parameters pages read ------------------------

PROJECTS = "/our-work/projects/"


def test_tracking_parameters_share_the_entry_of_the_plain_page(client, seeded):
    assert client.get(PROJECTS)["X-Page-Cache"] == "miss"
    for query in ("?utm_source=newsletter", "?utm_source=x&fbclid=abc", "?gclid=1&page=1&x=1"):
        hit = client.get(PROJECTS + query.replace("&page=1", ""))
        assert hit["X-Page-Cache"] == "hit", query
    assert client.get(f"{PROJECTS}?theme=ncds&utm_source=x")["X-Page-Cache"] == "miss"
    assert client.get(f"{PROJECTS}?utm_medium=y&theme=ncds")["X-Page-Cache"] == "hit"


def public_urls():
    """Every public page of the seeded site, its listings' data files, search, sitemaps
    and the feed, each with the parameters it understands set to a value."""
    urls = [page.url for page in Page.objects.live().public().specific() if page.url]
    return [
        *urls,
        f"{PROJECTS}data.csv",
        f"{PROJECTS}data.json",
        "/publications/data.csv",
        "/publications/data.json",
        "/search/?q=health",
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/publications/feed/",
    ]


def test_every_parameter_a_page_reads_is_in_the_key(client, seeded, settings, monkeypatch):
    """A parameter a page reads but its key ignored would serve one visitor's page to
    another: record every query-string lookup while each public page renders, and compare
    it with what that page told the page cache it reads."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    read = set()

    def recording(method):
        def call(self, key, *args, **kwargs):
            read.add(key)
            return method(self, key, *args, **kwargs)

        return call

    for name in ("get", "getlist", "__getitem__", "__contains__"):
        monkeypatch.setattr(QueryDict, name, recording(getattr(QueryDict, name)))
    urls = public_urls()
    everything = set()
    for url in urls:
        read.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        declared = getattr(response.wsgi_request, "page_cache_query", None)
        assert declared is not None, f"{url} does not say which parameters it reads"
        assert read <= set(declared), (url, read - set(declared))
        everything |= read
    assert len(urls) > 20
    assert {"q", "theme", "type", "kind", "page"} <= everything  # the recording works


def test_no_page_copies_an_unknown_parameter_into_what_it_shows(client, seeded, settings):
    """What the recording above cannot see: a page that iterates the whole query string."""
    settings.PAGE_CACHE_ENABLED = False
    for url in public_urls():
        joined = "&" if "?" in url else "?"
        plain = client.get(url)
        tracked = client.get(f"{url}{joined}utm_source=zz-tracking-zz")
        assert tracked.status_code == plain.status_code == 200, url
        assert b"zz-tracking-zz" not in tracked.content, url


@pytest.mark.parametrize(
    "url",
    [
        f"{PROJECTS}?q=nurses",
        f"{PROJECTS}?country=uganda",
        f"{PROJECTS}?theme=ncds",
        "/publications/?type=report",
        "/publications/?q=nurses",
        "/search/?q=nurses",
        "/search/?q=health&kind=projects",
    ],
)
def test_a_parameter_a_page_reads_is_its_own_entry(client, seeded, url):
    path, query = url.split("?")
    bare = path + ("?q=health" if path == "/search/" and "kind" in query else "")
    plain = client.get(bare)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss", url
    assert response.status_code in (200, 404)
    assert response.content != plain.content, url
