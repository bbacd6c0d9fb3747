"""A CDN or Varnish may keep public pages, never private ones, and is purged on change.

The real Varnish in front of a real server is in tests/test_varnish.py.
"""

import signal
import socket
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.cache import get_max_age
from wagtail.models import PageViewRestriction, Site

from pages.models import ContentPage, SiteFooter
from thet_site import cdn
from thet_site.env import frontend_cache_config, shared_cache_seconds

from .factories import ContentPageFactory

pytestmark = pytest.mark.django_db

PURGED: list[list[str]] = []


class RecordingBackend:
    """A frontend-cache backend that writes down what it was asked to purge."""

    def __init__(self, params):
        pass

    def invalidates_hostname(self, hostname):
        return True

    def purge_batch(self, urls):
        PURGED.append(sorted(urls))


@pytest.fixture
def purged(settings):
    settings.WAGTAILFRONTENDCACHE = {"default": {"BACKEND": f"{__name__}.RecordingBackend"}}
    PURGED.clear()
    yield PURGED
    PURGED.clear()


@pytest.fixture
def page(seeded):
    """A published page like any an editor makes (what it is about does not matter)."""
    return ContentPageFactory(title="About the cache")


def directives(response) -> dict[str, str]:
    out = {}
    for part in response.get("Cache-Control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            out[name.lower()] = value
    return out


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


def assert_not_shared(response):
    control = directives(response)
    assert "public" not in control and "s-maxage" not in control, response["Cache-Control"]
    assert "private" in control or "no-store" in control, response["Cache-Control"]


# --- Public pages ---------------------------------------------------------------------


def test_a_public_page_may_be_kept_by_a_shared_cache_and_browsers_revalidate(client, page):
    first = client.get(page.url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    assert directives(first) == {
        "public": "",
        "max-age": "0",
        "s-maxage": "300",
        "stale-while-revalidate": "60",
        "stale-if-error": "86400",
    }
    assert {"cookie", "accept-encoding"} <= vary(first)
    assert first.has_header("ETag") and first.has_header("Last-Modified")
    # The page cache still keeps it, and serves it with the same headers.
    second = client.get(page.url)
    assert second["X-Page-Cache"] == "hit"
    assert second["Cache-Control"] == first["Cache-Control"]
    assert {"cookie", "accept-encoding"} <= vary(second)
    assert client.get(page.url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("path", ["/", "/our-work/projects/", "/publications/", "/search/?q=x"])
def test_listings_home_and_search_are_public_too(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 200
    assert directives(response)["s-maxage"] == "300"


def test_the_lifetimes_come_from_the_environment(client, page, settings):
    settings.SHARED_CACHE_SECONDS = shared_cache_seconds(
        {"CDN_S_MAXAGE": "120", "CDN_STALE_WHILE_REVALIDATE": "30", "CDN_STALE_IF_ERROR": "600"}
    )
    control = directives(client.get(page.url))
    assert (control["s-maxage"], control["stale-while-revalidate"]) == ("120", "30")
    assert control["stale-if-error"] == "600" and control["max-age"] == "0"


def test_s_maxage_zero_switches_shared_caching_off(client, page, settings):
    settings.SHARED_CACHE_SECONDS = shared_cache_seconds({"CDN_S_MAXAGE": "0"})
    response = client.get(page.url)
    assert directives(response) == {"max-age": "0"}  # browsers only, no shared cache
    assert client.get(page.url)["X-Page-Cache"] == "hit"


def test_the_settings_helper_checks_its_values():
    assert shared_cache_seconds({}) == {
        "s_maxage": 300,
        "stale_while_revalidate": 60,
        "stale_if_error": 86400,
    }
    with pytest.raises(ImproperlyConfigured, match="CDN_S_MAXAGE"):
        shared_cache_seconds({"CDN_S_MAXAGE": "-1"})
    with pytest.raises(ImproperlyConfigured, match="CDN_STALE_IF_ERROR"):
        shared_cache_seconds({"CDN_STALE_IF_ERROR": "a day"})


def test_a_view_that_chose_its_own_public_cache_control_keeps_it(
    client, page, monkeypatch, settings
):
    # (Media files do, streamed: tests/test_media.py. The page cache would add max-age=0.)
    settings.PAGE_CACHE_ENABLED = False
    original = ContentPage.serve

    def serve(self, request, *args, **kwargs):
        response = original(self, request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    monkeypatch.setattr(ContentPage, "serve", serve)
    response = client.get(page.url)
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


# --- Private responses ----------------------------------------------------------------


def test_the_admin_is_private(client, seeded, django_user_model):
    user = django_user_model.objects.create_superuser("cdn-admin", "a@example.org", "x")
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_not_shared(response)
    client.logout()
    assert_not_shared(client.get("/admin/login/"))


def test_a_logged_in_page_view_is_private(client, page, django_user_model):
    user = django_user_model.objects.create_user("cdn-reader", "r@example.org", "x")
    client.force_login(user)
    response = client.get(page.url)
    assert response.status_code == 200 and "X-Page-Cache" not in response
    assert_not_shared(response)
    assert get_max_age(response) is None


def test_a_preview_is_private(page):
    page.title = "Draft in preview"
    response = page.make_preview_request()
    assert response.status_code == 200
    assert "Draft in preview" in response.content.decode()
    assert_not_shared(response)


def test_a_view_restricted_page_is_private(client, page):
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    response = client.get(page.url)  # the password form
    assert response.status_code == 200
    assert_not_shared(response)
    # A visitor who already has a CSRF cookie: the form still sets it, so still private.
    client.cookies["csrftoken"] = response.cookies["csrftoken"].value
    assert_not_shared(client.get(page.url))


def test_a_form_post_is_private(client, page):
    response = client.post(page.url, {"anything": "1"})
    assert response.status_code == 200
    assert_not_shared(response)


def test_health_and_not_found_are_not_shared(client, seeded):
    assert_not_shared(client.get("/health/"))
    assert "no-store" in client.get("/health/")["Cache-Control"]
    assert_not_shared(client.get("/no-such-page/"))


def test_a_request_with_authorization_is_private(client, page):
    assert_not_shared(client.get(page.url, HTTP_AUTHORIZATION="Basic eDp5"))


# --- Purging --------------------------------------------------------------------------


def everything():
    roots = {site.root_url for site in Site.objects.all()}
    return [sorted(f"{root}/*" for root in roots)]


def test_publishing_purges_the_whole_site_once_after_the_commit(
    page, purged, django_capture_on_commit_callbacks
):
    page.title = "Purged everywhere"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page.save_revision().publish()
        # Nothing before the commit (Wagtail's per-page purge is not installed: a cache
        # asked then could fetch the old page again).
        assert purged == []
    assert purged == everything()
    assert sum(callback is cdn.purge_everything for callback in callbacks) == 1


def test_a_snippet_change_purges_the_whole_site(seeded, purged, django_capture_on_commit_callbacks):
    footer = SiteFooter.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        footer.save()
    assert purged == everything()


def test_a_draft_purges_nothing(page, purged, django_capture_on_commit_callbacks):
    page.title = "Only a draft"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision()
    assert purged == []


def test_site_url_is_purged_too(page, purged, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://www.thet.example"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert "https://www.thet.example/*" in purged[-1]


def test_without_a_frontend_cache_nothing_is_queued(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        page.save_revision().publish()
    assert not any(callback is cdn.purge_everything for callback in callbacks)


def test_a_failing_purge_does_not_break_publishing(
    page, settings, django_capture_on_commit_callbacks, caplog
):
    settings.WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "thet_site.cdn.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",  # nothing listens there
        }
    }
    page.title = "Published anyway"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert ContentPage.objects.get(pk=page.pk).title == "Published anyway"
    assert "Couldn't purge" in caplog.text


@pytest.fixture
def hung_cache():
    """A cache that takes the connection and never answers: listening, never accepting."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_cache_that_never_answers_delays_a_publish_by_the_timeout_only(
    page, settings, client, comms, hung_cache, django_capture_on_commit_callbacks, caplog
):
    """An editor publishes through the admin while Varnish hangs: the publish lands in
    about TIMEOUT seconds and the failed purge is logged (Wagtail's backend has no time
    limit: the POST would wait until gunicorn killed the worker)."""
    settings.WAGTAILFRONTENDCACHE = {
        "default": {"BACKEND": "thet_site.cdn.HTTPBackend", "LOCATION": hung_cache, "TIMEOUT": 0.5}
    }
    page.title = "Published while the cache hangs"
    page.save_revision()
    client.force_login(comms)
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))

    def still_waiting(signum, frame):
        raise AssertionError("the publish is still waiting for the cache after 20 s")

    previous = signal.signal(signal.SIGALRM, still_waiting)
    signal.setitimer(signal.ITIMER_REAL, 20)
    started = time.monotonic()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{url}?id={page.pk}", {"include_descendants": ""})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert response.status_code == 302
    assert time.monotonic() - started < 10
    assert ContentPage.objects.get(pk=page.pk).title == "Published while the cache hangs"
    assert "Couldn't purge" in caplog.text and "timed out" in caplog.text


def test_the_purge_timeout_comes_from_the_environment():
    base = {"FRONTEND_CACHE_BACKEND": "http", "FRONTEND_CACHE_LOCATION": "http://varnish:6081"}
    assert frontend_cache_config(base)["default"]["TIMEOUT"] == 3
    ten = frontend_cache_config(dict(base, FRONTEND_CACHE_TIMEOUT="10"))
    assert ten["default"]["TIMEOUT"] == 10
    for bad in ("0", "-1", "soon"):
        with pytest.raises(ImproperlyConfigured, match="FRONTEND_CACHE_TIMEOUT"):
            frontend_cache_config(dict(base, FRONTEND_CACHE_TIMEOUT=bad))
    backend = cdn.HTTPBackend(frontend_cache_config(base)["default"])
    assert backend.timeout == 3


# --- Cloudflare: "everything" is its purge_everything call ----------------------------


class FakeResponse:
    ok = True
    text = ""

    def json(self):
        return {"success": True}


def test_cloudflare_purges_everything_for_a_site_wildcard(monkeypatch):
    config = frontend_cache_config(
        {
            "FRONTEND_CACHE_BACKEND": "cloudflare",
            "CLOUDFLARE_BEARER_TOKEN": "token",
            "CLOUDFLARE_ZONE_ID": "zone",
        }
    )["default"]
    assert config["BACKEND"] == "thet_site.cdn.CloudflareBackend"
    calls = []
    monkeypatch.setattr(
        cdn.requests, "post", lambda url, **kw: calls.append((url, kw)) or FakeResponse()
    )
    backend = cdn.CloudflareBackend(dict(config))
    backend.purge_batch(["https://www.thet.example/*", "https://www.thet.example/about/"])
    (url, everything), (_, files) = calls
    assert url == "https://api.cloudflare.com/client/v4/zones/zone/purge_cache"
    assert everything["json"] == {"purge_everything": True}
    assert everything["headers"]["Authorization"] == "Bearer token"
    assert everything["timeout"] == 3  # FRONTEND_CACHE_TIMEOUT's default
    assert files["json"] == {"files": ["https://www.thet.example/about/"]}


def test_cloudfront_gives_up_after_the_timeout(hung_cache, monkeypatch, caplog):
    """Wagtail's CloudFront client would wait 60 s per attempt and retry; this one makes
    one attempt of TIMEOUT seconds (here against an endpoint that never answers)."""
    config = frontend_cache_config(
        {"FRONTEND_CACHE_BACKEND": "cloudfront", "CLOUDFRONT_DISTRIBUTION_ID": "DIST"}
    )["default"]
    assert config["BACKEND"] == "thet_site.cdn.CloudfrontBackend"
    real_client = cdn.boto3.client
    monkeypatch.setattr(
        cdn.boto3,
        "client",
        lambda *a, **kw: real_client(*a, endpoint_url=hung_cache, region_name="us-east-1", **kw),
    )
    backend = cdn.CloudfrontBackend(
        dict(config, TIMEOUT=1, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret")
    )
    assert backend.client.meta.config.read_timeout == 1
    started = time.monotonic()
    with pytest.raises(Exception, match="(?i)timeout|timed out"):
        backend.purge_batch(["https://www.thet.example/*"])
    assert time.monotonic() - started < 5
