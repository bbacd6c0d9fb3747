"""Shared caches (a CDN, Varnish) in front of the site: what they may keep, and purging (#14).

What a shared cache may keep
----------------------------
``SharedCacheMiddleware`` (just inside the page cache) gives every *public* response
``Cache-Control: public, max-age=0, s-maxage=N, stale-while-revalidate=N,
stale-if-error=N`` (``SHARED_CACHE_SECONDS``, from the ``CDN_*`` variables) and
``Vary: Cookie, Accept-Encoding``. Public is the page cache's own rule, imported from
``thet_site.pagecache``, not a second copy of it: a GET or HEAD outside ``/admin/``,
``/documents/`` and ``/health/`` without a session or messages cookie or an
``Authorization`` header, answered with a plain 200 that sets no cookie, is no preview and
says nothing private. Browsers revalidate every time (``max-age=0``; the page cache adds
``ETag`` and ``Last-Modified``, so that costs a 304); a shared cache keeps the page for
``s-maxage`` seconds. Every other response is marked ``private`` unless it already says
``private``, ``no-store`` or (a view's own choice, such as a media file's year)
``public``. ``CDN_S_MAXAGE=0`` leaves public pages as they were (``max-age=0``).

Purging
-------
Every change a visitor can see (``pagecache.content_changed``: the same events that
replace the page cache's generation: publishing, unpublishing, moving or deleting a page,
saving a snippet, setting, image or document) purges *the whole site* from Wagtail's
frontend cache (``WAGTAILFRONTENDCACHE``) once the transaction commits: one purge of
``<site root>/*`` for each site. A CDN invalidation of ``/*`` is everything on CloudFront;
``CloudflareBackend`` below turns it into Cloudflare's "purge everything"; the VCL in
``docs/varnish/thet.vcl`` turns ``PURGE /*`` into a ban of every page of that host.
Wagtail's own per-page purge (``wagtail.contrib.frontend_cache``'s signal handlers) is not
installed: it ran inside the publish, before the commit (so a cache could fetch the old
page again), and only repeated part of this purge.

A purge is bounded: each request to Varnish, Cloudflare or CloudFront gives up after
``FRONTEND_CACHE_TIMEOUT`` seconds (3), is logged and never raises, so a cache that
accepts the connection and never answers delays a publish by seconds, not until gunicorn
kills the worker. (Wagtail's ``HTTPBackend`` sets no time limit at all; its CloudFront
client waits 60 s per attempt, with retries.)

Why everything rather than the page's own URLs (which Wagtail still purges too): a page
shows on many others (menus, breadcrumbs, the footer, listings and their facet counts,
the home page's latest publications, search results), a listing has a stored copy for
every query string (``?theme=…&page=2``), and snippets have no URL at all. The site's own
caches drop everything on a change for the same reason. The cost is one re-render per
page on the next visits. ``s-maxage`` bounds how long a page can stay out of date if a
purge is lost (the CDN's API is down, say).
"""

import logging
from urllib.error import HTTPError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

import boto3
import requests
from botocore.config import Config
from django.conf import settings
from django.db import transaction
from django.utils.cache import patch_cache_control, patch_vary_headers
from wagtail.contrib.frontend_cache.backends import CloudflareBackend as WagtailCloudflare
from wagtail.contrib.frontend_cache.backends import CloudfrontBackend as WagtailCloudfront
from wagtail.contrib.frontend_cache.backends import HTTPBackend as WagtailHTTP
from wagtail.contrib.frontend_cache.backends.http import PurgeRequest
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.models import Site

from thet_site.pagecache import PageCacheMiddleware, _response_is_cacheable, content_changed

logger = logging.getLogger(__name__)

# What a public page varies on: the session cookie (a logged-in editor gets a private
# page), and the compressed or plain body.
VARY = ("Cookie", "Accept-Encoding")


def shared_cache_control() -> dict | None:
    """``patch_cache_control`` arguments for a public response; None when switched off."""
    seconds = settings.SHARED_CACHE_SECONDS
    if not seconds["s_maxage"]:
        return None
    return {"public": True, "max_age": 0, **seconds}


class SharedCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.page_cache_rules = PageCacheMiddleware(get_response)  # for its _eligible()
        self.public = shared_cache_control()

    def __call__(self, request):
        response = self.get_response(request)
        control = response.get("Cache-Control", "").lower()
        if self.page_cache_rules._eligible(request) and _response_is_cacheable(request, response):
            if self.public and not control:
                patch_cache_control(response, **self.public)
                patch_vary_headers(response, VARY)
        elif not any(word in control for word in ("private", "no-store", "public")):
            patch_cache_control(response, private=True)
        return response


# --- Purging ------------------------------------------------------------------------


def site_roots() -> list[str]:
    """Every address the site is served at: each Wagtail Site's and SITE_URL."""
    roots = {site.root_url for site in Site.objects.all()}
    if settings.SITE_URL:
        roots.add(settings.SITE_URL)
    return sorted(roots)


def purge_everything() -> None:
    """Purge every page of every site from the frontend cache; never raises."""
    try:
        purge_urls_from_cache([f"{root}/*" for root in site_roots()])
    except Exception:  # a CDN outage must not break publishing
        logger.exception("Could not purge the frontend cache")


def _on_content_changed(sender, **kwargs):
    if not settings.WAGTAILFRONTENDCACHE:
        return
    # After the commit, so the cache cannot fetch the old page again before it; once per
    # transaction, although one publish sends several signals.
    connection = transaction.get_connection()
    if not any(callback is purge_everything for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(purge_everything)


def connect_signals():
    content_changed.connect(_on_content_changed, dispatch_uid="cdn-purge-everything")


class TimeLimited:
    """A backend's ``TIMEOUT`` (seconds a purge request may take; ``FRONTEND_CACHE_TIMEOUT``),
    taken from its parameters before Wagtail's backend reads the rest."""

    def __init__(self, params):
        params = dict(params)
        self.timeout = float(params.pop("TIMEOUT", 3))
        super().__init__(params)


class HTTPBackend(TimeLimited, WagtailHTTP):
    """Wagtail's HTTP (Varnish) backend with a time limit (``TIMEOUT``) on each purge.

    Wagtail's ``purge`` calls ``urlopen`` with no timeout and logs only HTTP and URL
    errors; this one is the same request (``PURGE`` to ``LOCATION`` with the page's
    ``Host``) given ``TIMEOUT`` seconds, and logs every failure.
    """

    def purge(self, url):
        parts = urlsplit(url)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        request = PurgeRequest(
            url=urlunsplit((self.cache_scheme, self.cache_netloc, parts.path, parts.query, "")),
            headers={"Host": host, "User-Agent": "thet-site-purge"},
        )
        try:
            with urlopen(request, timeout=self.timeout):  # noqa: S310 - LOCATION is ours
                pass
        except HTTPError as error:
            logger.error("Couldn't purge %s: the cache answered %s", url, error.code)
        except OSError as error:  # URLError, refused, timed out
            logger.error("Couldn't purge %s: %s", url, getattr(error, "reason", error))


class CloudflareBackend(TimeLimited, WagtailCloudflare):
    """Wagtail's Cloudflare backend, where a purge of ``<site>/*`` purges the whole zone.

    Cloudflare purges by exact URL (wildcards and prefixes need an Enterprise plan), so
    "everything" is its ``purge_everything`` call, given ``TIMEOUT`` seconds.
    """

    def purge_batch(self, urls):
        if any(url.endswith("/*") for url in urls):
            self.purge_everything()
            urls = [url for url in urls if not url.endswith("/*")]
        if urls:
            super().purge_batch(urls)

    def purge(self, url):
        self.purge_batch([url])

    def purge_everything(self):
        headers = {"Content-Type": "application/json"}
        if self.cloudflare_token:
            headers["Authorization"] = f"Bearer {self.cloudflare_token}"
        else:
            headers["X-Auth-Email"] = self.cloudflare_email
            headers["X-Auth-Key"] = self.cloudflare_api_key
        try:
            response = requests.post(
                self.cloudflare_purge_endpoint_url,
                json={"purge_everything": True},
                headers=headers,
                timeout=self.timeout,
            )
            ok = response.ok and response.json().get("success")
        except (requests.RequestException, ValueError):
            logger.exception("Couldn't purge everything from Cloudflare")
            return
        if not ok:
            logger.error("Couldn't purge everything from Cloudflare: %s", response.text[:500])


class CloudfrontBackend(TimeLimited, WagtailCloudfront):
    """Wagtail's CloudFront backend, whose client gives up after ``TIMEOUT`` seconds.

    Wagtail's client has botocore's defaults (60 s to connect, 60 s to read, retried);
    this one has one attempt of ``TIMEOUT`` seconds each way. The failure is logged by
    ``purge_everything``.
    """

    def __init__(self, params):
        super().__init__(params)
        self.client = boto3.client(
            "cloudfront",
            aws_access_key_id=params.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=params.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=params.get("AWS_SESSION_TOKEN"),
            config=Config(
                connect_timeout=self.timeout,
                read_timeout=self.timeout,
                retries={"total_max_attempts": 1},
            ),
        )
