"""Compressed HTML: what the page cache stores goes out gzip- or brotli-compressed.

Only anonymous, cacheable responses are compressed (``thet_site/pagecache.py``): nothing
that carries a CSRF token, a session or a logged-in user's page, so no secret sits
beside text an attacker can reflect into it (BREACH). Each encoding is made once, when
the page is stored; a hit sends the stored bytes.
"""

import gzip
import time

import brotli
import pytest
from wagtail.models import PageViewRestriction

from .factories import ContentPageFactory

pytestmark = pytest.mark.django_db

PROJECTS = "/our-work/projects/"  # the seeded listing, the largest page
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.fixture
def page(seeded):
    """A published page like any an editor makes."""
    return ContentPageFactory(title="About compression")


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize("url", ["/", PROJECTS])
def test_pages_arrive_compressed(client, seeded, url, encoding):
    first = client.get(url, HTTP_ACCEPT_ENCODING=f"{encoding}, deflate")
    assert first["X-Page-Cache"] == "miss"  # the first visit is compressed too
    again = client.get(url, HTTP_ACCEPT_ENCODING=f"{encoding}, deflate")
    assert again["X-Page-Cache"] == "hit"
    plain = client.get(url)  # no Accept-Encoding: the page as it is
    assert plain["X-Page-Cache"] == "hit" and "Content-Encoding" not in plain
    for response in (first, again):
        assert response["Content-Encoding"] == encoding
        assert int(response["Content-Length"]) == len(response.content)
        assert DECODE[encoding](response.content) == plain.content
    for response in (first, again, plain):
        assert "Accept-Encoding" in response["Vary"]
    assert len(again.content) < len(plain.content) / 3


def test_brotli_is_preferred_and_a_refused_coding_is_not_used(client, seeded):
    assert client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")["Content-Encoding"] == "br"
    refused = client.get("/", HTTP_ACCEPT_ENCODING="gzip, br;q=0")
    assert refused["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/", HTTP_ACCEPT_ENCODING="identity")


def test_the_first_visit_to_the_projects_listing_transfers_under_40_kb(client, page):
    for accept in ("gzip, deflate, br", "gzip"):
        client.get(page.url)  # not the listing: its first visit below is a real miss
        page.save_revision().publish()  # a new generation
        response = client.get(PROJECTS, HTTP_ACCEPT_ENCODING=accept)
        assert response["X-Page-Cache"] == "miss"
        assert len(response.content) < 40_000, (accept, len(response.content))


def test_a_hit_sends_the_stored_bytes_without_compressing(client, seeded, monkeypatch):
    for encoding in ("br", "gzip"):
        client.get(PROJECTS, HTTP_ACCEPT_ENCODING=encoding)
    calls = []
    monkeypatch.setattr(brotli, "compress", lambda *a, **kw: calls.append("br"))
    monkeypatch.setattr(gzip, "compress", lambda *a, **kw: calls.append("gzip"))
    for encoding in ("br", "gzip"):
        hit = client.get(PROJECTS, HTTP_ACCEPT_ENCODING=encoding)
        assert hit["X-Page-Cache"] == "hit" and hit["Content-Encoding"] == encoding
        assert b"<html" in DECODE[encoding](hit.content)
    assert calls == []


@pytest.mark.parametrize("encoding", ["br", "gzip", None])
def test_etag_and_last_modified_still_give_304s(client, page, encoding):
    accept = {"HTTP_ACCEPT_ENCODING": encoding} if encoding else {}
    first = client.get(page.url, **accept)
    for _ in ("miss", "hit"):
        assert client.get(page.url, HTTP_IF_NONE_MATCH=first["ETag"], **accept).status_code == 304
        since = client.get(page.url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"], **accept)
        assert since.status_code == 304
    # A compressed representation's ETag is weak (as Django's GZipMiddleware makes it).
    assert first["ETag"].startswith("W/") == bool(encoding)


def test_a_page_with_a_csrf_token_is_not_compressed_or_cached(client, page):
    """A password-protected page's prompt is a form with the visitor's CSRF token."""
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="s3cret-launch"
    )
    for cookie in (False, True):  # a first visit sets the CSRF cookie; a later one uses it
        response = client.get(page.url, HTTP_ACCEPT_ENCODING="gzip, br")
        assert b"csrfmiddlewaretoken" in response.content, cookie
        assert "Content-Encoding" not in response
        assert response["X-Page-Cache"] == "miss"
        assert "csrftoken" in client.cookies


def test_the_admin_login_and_logged_in_pages_are_not_compressed(client, admin_client, seeded):
    login = client.get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert login.status_code == 200 and b"csrfmiddlewaretoken" in login.content
    assert "Content-Encoding" not in login
    for url in ("/", PROJECTS):
        response = admin_client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
        assert response.status_code == 200 and "Content-Encoding" not in response
        assert b"wagtail-userbar" in response.content


def test_a_visitor_with_a_session_gets_an_uncompressed_page(client, seeded, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-real-session"
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert "X-Page-Cache" not in response and "Content-Encoding" not in response  # bypassed


def test_compressing_a_listing_once_is_quick(client, seeded):
    """br and gzip of the largest page, made once a generation, cost well under a render."""
    html = client.get(PROJECTS).content
    started = time.perf_counter()
    brotli.compress(html, quality=9, mode=brotli.MODE_TEXT)
    gzip.compress(html, compresslevel=6, mtime=0)
    assert time.perf_counter() - started < 0.25
