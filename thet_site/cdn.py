"""Shared caches (a CDN, Varnish) in front of the site: what they may keep, and purging.

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

A purge never holds a publish. It runs after the editor's response is sent: the
purge queued by a commit inside a request starts, in a thread of its own, when Django
finishes that request (``request_finished``, sent once the server has written the
response); a commit outside a request (a command, scheduled publishing) purges at once.
The whole purge, every backend and every URL, has one wall-clock deadline,
``FRONTEND_CACHE_TIMEOUT`` seconds (3): each request to Varnish gets what is left of it,
and a watchdog shuts the connection when it runs out, so a cache that drips its answer
one byte a second (each read well inside any socket timeout) is cut off on time;
Cloudflare's and CloudFront's clients are given what is left as their timeouts, and a
purge still running at the deadline is given up and logged. Every failure is logged;
nothing raises into the publish.

Why everything rather than the page's own URLs (which Wagtail still purges too): a page
shows on many others (menus, breadcrumbs, the footer, listings and their facet counts,
the home page's latest publications, search results), a listing has a stored copy for
every query string (``?theme=…&page=2``), and snippets have no URL at all. The site's own
caches drop everything on a change for the same reason. The cost is one re-render per
page on the next visits. ``s-maxage`` bounds how long a page can stay out of date if a
purge is lost (the CDN's API is down, say).
"""

import http.client
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import boto3
import requests
from botocore.config import Config
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers
from wagtail.contrib.frontend_cache.backends import CloudflareBackend as WagtailCloudflare
from wagtail.contrib.frontend_cache.backends import CloudfrontBackend as WagtailCloudfront
from wagtail.contrib.frontend_cache.backends import HTTPBackend as WagtailHTTP
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.models import Site

from thet_site.pagecache import content_changed, request_is_eligible, response_is_cacheable

logger = logging.getLogger(__name__)

# What a public page varies on: the session cookie (a logged-in editor gets a private
# page), and the compressed or plain body.
VARY = ("Cookie", "Accept-Encoding")


def shared_cache_control() -> dict[str, Any] | None:
    """``patch_cache_control`` arguments for a public response; None when switched off."""
    seconds = settings.SHARED_CACHE_SECONDS
    if not seconds["s_maxage"]:
        return None
    return {"public": True, "max_age": 0, **seconds}


class SharedCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.public = shared_cache_control()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        control = response.get("Cache-Control", "").lower()
        if request_is_eligible(request) and response_is_cacheable(request, response):
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


DEFAULT_DEADLINE = 3.0
GRACE = 0.5


def purge_deadline_seconds() -> float:
    """Seconds the whole purge may take: ``FRONTEND_CACHE_TIMEOUT`` (each backend's
    ``TIMEOUT``; the longest if they differ)."""
    backends = settings.WAGTAILFRONTENDCACHE.values()
    return max((float(b.get("TIMEOUT", DEFAULT_DEADLINE)) for b in backends), default=0.0)


_state = threading.local()  # this thread's request: is one running, and its queued purge


def purge_urls_within(urls: list[str], seconds: float) -> None:
    """Purge ``urls`` from every frontend cache, giving up after ``seconds`` in all;
    logs failures, never raises."""
    deadline = time.monotonic() + seconds

    def work() -> None:
        _state.deadline = deadline
        try:
            purge_urls_from_cache(urls)
        except Exception:  # a CDN outage must not break publishing
            logger.exception("Could not purge the frontend cache")

    worker = threading.Thread(target=work, name="thet-purge-backends", daemon=True)
    worker.start()
    # A moment past the deadline, for a backend cut off at the deadline to say so.
    worker.join(max(0.0, deadline - time.monotonic()) + GRACE)
    if worker.is_alive():
        logger.error(
            "The frontend cache purge of %s did not finish in %g s: given up", urls, seconds
        )


_running: list[threading.Thread] = []


def purges_running() -> list[threading.Thread]:
    """The purges started after a response that have not finished (for tests, shutdown)."""
    _running[:] = [thread for thread in _running if thread.is_alive()]
    return list(_running)


def purge_everything() -> None:
    """Purge every page of every site from the frontend cache, within the deadline; after
    the response when a request is running in this thread. Never raises."""
    try:
        urls = [f"{root}/*" for root in site_roots()]
    except Exception:
        logger.exception("Could not purge the frontend cache: the sites could not be read")
        return
    if getattr(_state, "in_request", False):
        _state.queued = urls  # once per request: the purge is of everything
        return
    purge_urls_within(urls, purge_deadline_seconds())


def _on_request_started(sender: object, **kwargs: Any) -> None:
    _state.in_request = True
    _state.queued = None


def _on_request_finished(sender: object, **kwargs: Any) -> None:
    urls = getattr(_state, "queued", None)
    _state.in_request = False
    _state.queued = None
    if not urls:
        return
    # Not a daemon: a worker that is shutting down still finishes (or gives up) its purge.
    thread = threading.Thread(
        target=purge_urls_within,
        args=(urls, purge_deadline_seconds()),
        name="thet-purge",
    )
    thread.start()
    _running.append(thread)


def _on_content_changed(sender: object, **kwargs: Any) -> None:
    if not settings.WAGTAILFRONTENDCACHE:
        return
    # After the commit, so the cache cannot fetch the old page again before it; once per
    # transaction, although one publish sends several signals.
    connection = transaction.get_connection()
    if not any(callback is purge_everything for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(purge_everything)


def connect_signals() -> None:
    content_changed.connect(_on_content_changed, dispatch_uid="cdn-purge-everything")
    request_started.connect(_on_request_started, dispatch_uid="cdn-request-started")
    request_finished.connect(_on_request_finished, dispatch_uid="cdn-request-finished")


class TimeLimited:
    """A backend's ``TIMEOUT`` (``FRONTEND_CACHE_TIMEOUT``), taken from its parameters
    before Wagtail's backend reads the rest; ``remaining()`` is what is left of the
    purge's deadline for the next request."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        params = dict(params)
        self.timeout = float(params.pop("TIMEOUT", DEFAULT_DEADLINE))
        # A mixin: the next class is Wagtail's backend, which takes the parameters.
        super().__init__(params)  # type: ignore[call-arg]

    def remaining(self) -> float:
        deadline: float | None = getattr(_state, "deadline", None)
        if deadline is None:  # called directly, not by purge_urls_within
            return self.timeout
        return min(self.timeout, deadline - time.monotonic())


def _shut(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    """Cut ``connection`` off, waking a read blocked on it in another thread."""
    cut.set()
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class HTTPBackend(TimeLimited, WagtailHTTP):  # type: ignore[misc]  # Wagtail has no types
    """Wagtail's HTTP (Varnish) backend, within the purge's deadline.

    The same request as Wagtail's (``PURGE`` to ``LOCATION`` with the page's ``Host``),
    but a socket timeout bounds each read, not the request: a watchdog shuts the
    connection when the deadline comes, however slowly the answer trickles in. Every
    failure is logged.
    """

    def __init__(self, params: dict[str, Any]) -> None:
        # Where to send the PURGE, read from the configuration rather than from the
        # attributes Wagtail's backend happens to keep.
        location = urlsplit(params["LOCATION"])
        self.location_scheme = location.scheme
        self.location_netloc = location.netloc
        super().__init__(params)

    def purge(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.hostname is None:
            logger.error("Couldn't purge %s: the address has no host", url)
            return
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        seconds = self.remaining()
        if seconds <= 0:
            logger.error("Couldn't purge %s: out of time", url)
            return
        kind = (
            http.client.HTTPSConnection
            if self.location_scheme == "https"
            else http.client.HTTPConnection
        )
        connection = kind(self.location_netloc, timeout=seconds)
        cut = threading.Event()
        watchdog = threading.Timer(seconds, _shut, args=(connection, cut))
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.request(
                "PURGE", path, headers={"Host": host, "User-Agent": "thet-site-purge"}
            )
            response = connection.getresponse()
            response.read()
            if response.status >= 400:
                logger.error("Couldn't purge %s: the cache answered %s", url, response.status)
        except (OSError, http.client.HTTPException) as error:  # refused, timed out, cut off
            reason = str(error)
            if cut.is_set():
                reason = f"timed out: no answer within the deadline ({seconds:.1f} s left)"
            logger.error("Couldn't purge %s: %s", url, reason)
        finally:
            watchdog.cancel()
            connection.close()


class CloudflareBackend(TimeLimited, WagtailCloudflare):  # type: ignore[misc]  # untyped base
    """Wagtail's Cloudflare backend, where a purge of ``<site>/*`` purges the whole zone.

    Cloudflare purges by exact URL (wildcards and prefixes need an Enterprise plan), so
    "everything" is its ``purge_everything`` call, given ``TIMEOUT`` seconds.
    """

    def purge_batch(self, urls: list[str]) -> None:
        if any(url.endswith("/*") for url in urls):
            self.purge_everything()
            urls = [url for url in urls if not url.endswith("/*")]
        if urls:
            super().purge_batch(urls)

    def purge(self, url: str) -> None:
        self.purge_batch([url])

    def purge_everything(self) -> None:
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
                timeout=max(self.remaining(), 0.1),
            )
            ok = response.ok and response.json().get("success")
        except (requests.RequestException, ValueError):
            logger.exception("Couldn't purge everything from Cloudflare")
            return
        if not ok:
            logger.error("Couldn't purge everything from Cloudflare: %s", response.text[:500])


class CloudfrontBackend(TimeLimited, WagtailCloudfront):  # type: ignore[misc]  # untyped base
    """Wagtail's CloudFront backend, whose client gives up after ``TIMEOUT`` seconds.

    Wagtail's client has botocore's defaults (60 s to connect, 60 s to read, retried);
    this one has one attempt of ``TIMEOUT`` seconds each way. The failure is logged by
    ``purge_everything``.
    """

    def __init__(self, params: Mapping[str, Any]) -> None:
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
