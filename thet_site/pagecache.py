"""Whole-page cache for anonymous visitors, invalidated at once when content changes.

How it works
------------
* ``PageCacheMiddleware`` sits before the session, auth and everything else that touches
  the database. A GET or HEAD from a visitor without a session cookie is looked up in the
  ``pages`` cache under a key made of the scheme, host, path and the *normalised* values
  of the query-string parameters that page reads, and nothing else (see "What a page
  reads" below). The page is stored with the site's *generation* at the time, and counts
  only if that is still the current one (both are read in one round trip). A hit is
  returned straight away: no database, no templates. So cached pages are still served
  while the database is down.
* A miss goes on through the site; the response is stored only if it is a plain 200 for
  an anonymous visitor that sets no cookie (so no CSRF cookie), holds no CSRF token, is
  not private/no-store, and is not under an excluded prefix (the admin, documents,
  ``/health/``).
* What is stored is compressed once (``thet_site/compression.py``): brotli and gzip beside
  the plain bytes, each a complete response with ``Vary: Accept-Encoding`` under its own
  key; every visit (the first too) gets the one its ``Accept-Encoding`` prefers, and a
  hit reads only that one and compresses nothing. Only stored responses are compressed:
  nothing secret sits beside text an attacker can reflect (BREACH). A compressed
  response's ETag is weak, as Django's GZipMiddleware makes it;
  ``ConditionalGetMiddleware`` (outside this one) answers 304s for every encoding.
* The generation is one short value in the same cache. Publishing, unpublishing, moving
  or deleting a page, and saving or deleting a snippet, setting, image, document or site,
  replace it with a new random value, so every stored page is out of date at once (and
  is replaced on the next visit, or expires on its own). With Redis (``REDIS_URL`` or
  ``CACHE_URL``) every server reads the same generation, so a change made through one
  server is seen on all of them on the next request. Without Redis the ``pages`` cache
  is file based, shared by the gunicorn workers of one machine.

What a page reads
-----------------
Each page type and view states the parameters it reads and how each is normalised
(``QUERY_KINDS``): a page class's ``query_params`` (asked through its
``get_query_params()`` by the ``before_serve_page`` hook in ``thet_site/wagtail_hooks.py``,
so a routable page can give each route its own), or ``reads_query(...)`` around a plain
view. Before the view runs, ``read_query`` replaces ``request.GET`` with just those
parameters, normalised: the page can only see what its key holds, so two addresses that
share an entry always render the same thing. ``?utm_source=...``, ``?kind=<random>`` on
a listing, ``data.json?page=<random>``: all the plain entry. The open data files key
their search words case-, order- and repeat-free (``words``), so ``?q=PROJECT`` after
``?q=project`` is one entry, built once.

The middleware learns what a path reads from the first response it stores there (a
small record per path, kept with the generation): a request with a query string for a
path it has not learnt yet is a miss, and stores under the normalised key. A view that
states nothing is cached only when the request has no query string at all.

Why one generation rather than per-page keys: a page shows parts of other pages
(menus, footers, listings, featured publications, counts), so working out exactly which
stored pages a change affects is fragile; dropping everything costs one re-render per
page on the next visits, which the site handles easily, and it can never be stale.

Any error from the cache backend is logged and the request is served uncached: a cache
outage slows the site down, it never takes it down.
"""

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.utils.cache import get_max_age, patch_cache_control, set_response_etag
from django.utils.http import http_date
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage, AbstractRendition
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move
from wagtail.snippets.models import get_snippet_models

from thet_site.cache import cache_recovered
from thet_site.compression import encoded_variants, preferred_encoding

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"

# Sent on every change a visitor can see, with the invalidation (thet_site.cdn purges).
content_changed = Signal()

# What a page reads of the query string: {name: kind}, the kind being the name of one of
# ``QUERY_KINDS`` or a collection of the values allowed.
QueryParams = Mapping[str, str | Collection[str]]


class PageCacheRequest(HttpRequest):
    """For the type checker: the attributes this module sets on a request."""

    page_cache: str  # "hit", "miss", "bypass" or "error", for the access log
    page_cache_query: QueryParams  # what the view reads (``read_query``)
    _content_generation: str  # for thet_site.fragments


def page_cache() -> BaseCache:
    return caches[settings.PAGE_CACHE_ALIAS]


def current_generation(cache: BaseCache | None = None) -> str:
    cache = cache or page_cache()
    generation: str | None = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY) or generation
    return generation


def bump_generation() -> None:
    """Make every stored page unreachable, for every server sharing the cache."""
    try:
        page_cache().set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # a cache outage must not break publishing
        logger.exception("Could not invalidate the page cache")


# Set inside ``one_invalidation``: whether a change has asked for an invalidation yet.
_held: ContextVar[list[bool] | None] = ContextVar("pagecache_held", default=None)


@contextmanager
def one_invalidation() -> Iterator[None]:
    """Within the block, any number of changes invalidate the cache once, at its end.

    For code that publishes thousands of pages in one go (the project import): each
    page's ``page_published`` would otherwise write a new generation, one cache write
    per page, when one at the end (and one at the commit) does the same."""
    if _held.get() is not None:
        yield
        return
    token = _held.set([])
    try:
        yield
    finally:
        asked = _held.get()
        _held.reset(token)
        if asked:
            invalidate()


def invalidate() -> None:
    """Invalidate now and again once the transaction commits.

    The second bump matters: a visitor's request that ran between the first bump and the
    commit may have stored the old content under the new generation. One publish sends
    several signals; the bump at commit is registered once per transaction.
    """
    held = _held.get()
    if held is not None:
        held.append(True)
        return
    bump_generation()
    content_changed.send(sender=invalidate)
    connection = transaction.get_connection()
    if not any(callback is bump_generation for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(bump_generation)


def vary_on_params(request: HttpRequest, names: Iterable[str]) -> str:
    """The query string reduced to the parameters ``names`` that a page reads, in order."""
    return urlencode([(name, value) for name in names for value in request.GET.getlist(name)])


# --- What a page reads ----------------------------------------------------------------

NUMBER = re.compile(r"[0-9]{1,40}")
WORD_CHARACTERS = re.compile(r"[^\w\s'-]")


def _text(values: Sequence[str]) -> str | None:
    """The last value, as typed (a form reads the last of a repeated parameter)."""
    return values[-1] if values and values[-1] else None


def _number(values: Sequence[str]) -> str | None:
    """A whole number without leading zeros; anything else is as if it were not given."""
    value = values[-1].strip() if values else ""
    return str(int(value)) if NUMBER.fullmatch(value) else None


def _words(values: Sequence[str]) -> str | None:
    """Search words whatever their case, order and repeats: lower case, each once, sorted."""
    words = WORD_CHARACTERS.sub(" ", " ".join(values)).lower().split()
    distinct = {word.strip("-'") for word in words} - {""}
    return " ".join(sorted(distinct)) or None


# How a declared parameter's values are normalised, by name; a tuple (or frozenset) of
# strings instead is a choice: the value if it is one of them, else nothing.
QUERY_KINDS: dict[str, Callable[[Sequence[str]], str | None]] = {
    "text": _text,
    "number": _number,
    "words": _words,
}


def normalised_query(query: QueryDict, params: QueryParams) -> str:
    """``query`` reduced to the declared ``params`` ({name: kind}), each value normalised,
    in the declared order: what the page cache keys on and the page reads."""
    pairs = []
    for name, kind in params.items():
        values = query.getlist(name)
        if not values:
            continue
        if isinstance(kind, str):
            value = QUERY_KINDS[kind](values)
        else:
            value = values[-1] if values[-1] in kind else None
        if value is not None:
            pairs.append((name, value))
    return urlencode(pairs)


def read_query(request: HttpRequest, params: QueryParams) -> None:
    """Say that this response depends on the query-string ``params`` ({name: kind}) only,
    and let the view see only those, normalised (``request.GET`` is replaced)."""
    params = dict(params)
    for kind in params.values():
        if isinstance(kind, str) and kind not in QUERY_KINDS:
            raise ValueError(f"Unknown query parameter kind {kind!r}")
    cast(PageCacheRequest, request).page_cache_query = params
    request.GET = QueryDict(normalised_query(request.GET, params))


def reads_query(
    params: QueryParams, view: Callable[..., HttpResponseBase]
) -> Callable[..., HttpResponseBase]:
    """``view`` (a plain Django view) reading only the query-string ``params``."""
    params = dict(params)

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        read_query(request, params)
        return view(request, *args, **kwargs)

    wrapped.__name__ = getattr(view, "__name__", type(view).__name__)
    wrapped.__doc__ = view.__doc__
    return wrapped


def read_page_query(
    page: Page, request: HttpRequest, serve_args: Sequence[Any], serve_kwargs: Mapping[str, Any]
) -> None:
    """Ask ``page`` which parameters the view it is about to serve reads
    (``get_query_params``, given Wagtail's serve arguments: a routable page passes the
    route's view). A page without the method states nothing."""
    ask = getattr(page, "get_query_params", None)
    if ask is not None:
        read_query(request, ask(*serve_args, **serve_kwargs))


def base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}{request.path}"


def cache_key(base: str, query: str) -> str:
    """The entry of ``base`` (scheme, host, path) with the normalised ``query``."""
    return "pagecache:page:" + hashlib.sha256(f"{base}?{query}".encode()).hexdigest()


def reads_key(base: str) -> str:
    """Where the parameters the page at ``base`` reads are recorded."""
    return "pagecache:reads:" + hashlib.sha256(base.encode()).hexdigest()


def entry_query(raw: QueryDict, params: QueryParams | None) -> str | None:
    """The normalised query to key on, or None when the response must not be shared: the
    view stated nothing and the request has a query string."""
    if params is None:
        return None if raw else ""
    return normalised_query(raw, params)


def request_is_eligible(request: HttpRequest) -> bool:
    """Whether ``request`` may be answered from, and stored in, a shared cache: a GET or
    HEAD outside ``PAGE_CACHE_EXCLUDED_PREFIXES`` (the admin, documents, health), without
    a session or messages cookie (someone who may be logged in, or has a message waiting)
    and without an ``Authorization`` header. The page cache's rule, and the CDN's
    (``thet_site/cdn.py``)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)):
        return False
    if any(name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, "messages")):
        return False
    return "HTTP_AUTHORIZATION" not in request.META


def response_is_cacheable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether ``response`` to an eligible ``request`` is the same for everyone and may be
    kept: a plain 200, not streamed, setting no cookie, no preview, holding no form's CSRF
    token, and not marked ``private``, ``no-store``, ``no-cache`` or ``max-age=0`` (unless
    it gives an ``s-maxage``). The page cache's rule, and the CDN's (``thet_site/cdn.py``)."""
    # A streaming response (not an HttpResponse) has no content to store.
    if response.status_code != 200 or not isinstance(response, HttpResponse):
        return False
    if response.cookies or getattr(request, "is_preview", False):
        return False  # a CSRF or session cookie: this response is someone's own
    if b'name="csrfmiddlewaretoken"' in response.content:
        return False  # a form's CSRF token: never shared, never compressed (BREACH)
    if response.has_header("Cache-Control"):
        control = response["Cache-Control"].lower()
        if "private" in control or "no-store" in control or "no-cache" in control:
            return False
        if get_max_age(response) == 0 and "s-maxage" not in control:  # (cdn.py's)
            return False
    return True


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.timeout = settings.PAGE_CACHE_SECONDS

    def __call__(self, request: PageCacheRequest) -> HttpResponseBase:
        if not settings.PAGE_CACHE_ENABLED or not request_is_eligible(request):
            request.page_cache = "bypass"
            return self.get_response(request)
        encoding = preferred_encoding(request)
        raw = request.GET  # the view may replace it with the parameters it reads (read_query)
        try:
            cache = page_cache()
            base = base_url(request)
            plain = f"{cache_key(base, '')}:{encoding}"
            # One round trip to Redis: the generation, what this path reads and its entry
            # without parameters, in the one encoding this client wants.
            found = cache.get_many([GENERATION_KEY, reads_key(base), plain])
            generation = found.get(GENERATION_KEY) or current_generation(cache)
            stored = found.get(plain) if not raw else None
            known = found.get(reads_key(base))
            if raw and known is not None and known[0] == generation:
                query = entry_query(raw, known[1])
                if query == "":
                    stored = found.get(plain)
                elif query is not None:
                    stored = cache.get(f"{cache_key(base, query)}:{encoding}")
        except Exception:  # DisallowedHost, or the cache is unreachable
            logger.warning("Page cache lookup failed", exc_info=True)
            request.page_cache = "error"
            return self.get_response(request)
        request._content_generation = generation  # for thet_site.fragments
        if stored is not None and stored[0] == generation:
            request.page_cache = "hit"
            hit: HttpResponse = stored[1]
            hit["X-Page-Cache"] = "hit"
            return hit

        request.page_cache = "miss"
        response = self.get_response(request)
        declared = getattr(request, "page_cache_query", None)
        query = entry_query(raw, declared)
        if (
            query is None
            or not isinstance(response, HttpResponse)  # a streaming one is never stored
            or not response_is_cacheable(request, response)
        ):
            response["X-Page-Cache"] = "miss"
            return response
        # Browsers revalidate every time (ETag / Last-Modified give them a cheap
        # 304), so a publish is never hidden behind a browser's own cache.
        patch_cache_control(response, max_age=0)
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(time.time())
        set_response_etag(response)
        variants = encoded_variants(response)
        key = cache_key(base, query)
        try:
            for name, variant in variants.items():
                cache.set(f"{key}:{name}", (generation, variant), self.timeout)
            if declared is not None:
                cache.set(reads_key(base), (generation, declared), self.timeout)
        except Exception:
            logger.warning("Page cache store failed", exc_info=True)
        response = variants[encoding]
        response["X-Page-Cache"] = "miss"
        return response


# --- Invalidation -------------------------------------------------------------------


@cache
def shown_on_pages(model: type[Model]) -> bool:
    """Whether saving or deleting an instance of ``model`` can change a public page.

    Pages themselves are handled by Wagtail's publish/unpublish/move signals (saving a
    draft changes nothing a visitor sees); renditions are made while rendering pages.
    """
    if issubclass(model, Page | AbstractRendition):
        return False
    if getattr(model, "shown_on_pages", True) is False:
        return False  # a model of a content app that says so (e.g. an import's progress)
    if issubclass(model, SearchPromotion):
        return True  # the search page shows editors' picks (its hit counts do not count)
    if model._meta.app_label in settings.PAGE_CACHE_CONTENT_APPS:
        return True
    if model in get_snippet_models():
        return True
    return issubclass(
        model,
        BaseSiteSetting | BaseGenericSetting | AbstractImage | AbstractDocument | Site,
    ) or issubclass(model, PageViewRestriction)


def _on_page_change(sender: object, **kwargs: Any) -> None:
    invalidate()


def _on_model_change(sender: type[Model], **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures
    model = sender
    if kwargs.get("action") is not None:  # m2m_changed: the sender is the through model
        if not kwargs["action"].startswith("post_"):
            return
        model = type(kwargs["instance"])
    if shown_on_pages(model):
        invalidate()


def _on_delete(sender: type[Model], **kwargs: Any) -> None:
    if issubclass(sender, Page) or shown_on_pages(sender):
        invalidate()


def _on_cache_recovered(sender: object, **kwargs: Any) -> None:
    # While Redis was unreachable this process dropped its writes, invalidations too:
    # what was stored before the outage may be out of date.
    bump_generation()


def connect_signals() -> None:
    page_published.connect(_on_page_change, dispatch_uid="pagecache-published")
    page_unpublished.connect(_on_page_change, dispatch_uid="pagecache-unpublished")
    post_page_move.connect(_on_page_change, dispatch_uid="pagecache-moved")
    post_save.connect(_on_model_change, dispatch_uid="pagecache-saved")
    m2m_changed.connect(_on_model_change, dispatch_uid="pagecache-m2m")
    post_delete.connect(_on_delete, dispatch_uid="pagecache-deleted")
    cache_recovered.connect(_on_cache_recovered, dispatch_uid="pagecache-cache-recovered")
