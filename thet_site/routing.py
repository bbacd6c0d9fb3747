"""Wagtail's site lookup and page routing, in fewer queries and kept until content changes.

Wagtail routes ``/our-work/projects/`` one level at a time: the site's root page, then
each child by slug, each loaded as its specific type (two queries a level), then two
more queries for view restrictions. ``RouteCacheMiddleware`` does the same walk in three
queries: every page on the path at once (by ``url_path``; the site's root path comes
from Wagtail's own cache), the final page's specific type, and the view restrictions of
the page and its ancestors. The pages on the path are kept on the request for the
breadcrumbs (``ancestors``), which then need no query of their own.

The result is also kept, per host and path, in the default cache under the content
generation (``thet_site/fragments.py``): publishing, unpublishing, moving or deleting a
page, or changing a site or a view restriction, replaces the generation, so a kept route
is never out of date. Only routes that found a page are kept (made-up addresses cannot
fill the cache).

Wagtail still does the serving: this only fills in the values Wagtail itself caches on
the request (through ``thet_site/wagtail_compat.py``, since those names are Wagtail's
own), so its hooks and privacy checks run as usual; ``tests/test_compat.py`` fails if an
upgrade stops reading them.

Why keep it (measured on the seeded site, SQLite, Django's test client, page
cache off; the third request of each of the 11 benchmark pages):

==========================  ===============  ==================
                            with this        without (Wagtail)
==========================  ===============  ==================
queries, full render        7-14             10-20 (8 of 11 over the 15 allowed)
queries, kept fragments     0 (search: 1)    4-10
ms a page, kept fragments   3-5              13-31
==========================  ===============  ==================

A path that goes past the last page is handed to that page's own ``route()`` (a
``RoutablePageMixin`` page's ``data.csv``); anything unusual (a page that is not
live, translations) is left to Wagtail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.views import serve as wagtail_serve

from thet_site.fragments import remember
from thet_site.privacy import restricted_paths
from thet_site.wagtail_compat import remember_route, remember_site

# What ``find_route`` answers: (page, args, kwargs, chain, unrestricted).
Route = tuple[Page, list[Any], dict[str, Any], list[Page] | None, bool]


class RoutedRequest(HttpRequest):
    """For the type checker: the attribute this module sets on a request."""

    _thet_route_chain: list[Page] | None  # the pages on the routed path, for ``ancestors``


CHAIN_FIELDS = (
    "id",
    "content_type_id",
    "path",
    "depth",
    "numchild",
    "url_path",
    "title",
    "slug",
    "live",
    "alias_of_id",
)


def ancestors(request: HttpRequest | None, page: Page, min_depth: int = 2) -> list[Page]:
    """``page``'s ancestors from depth ``min_depth`` down, from the routed path when this
    request was routed to ``page`` (no query), else from the database."""
    chain = getattr(request, "_thet_route_chain", None) if request is not None else None
    if chain and chain[-1].pk == page.pk:
        return [p for p in chain[:-1] if p.depth >= min_depth]
    return list(page.get_ancestors().filter(depth__gte=min_depth))


def find_route(request: HttpRequest, path: str) -> Route | None:
    """``(page, args, kwargs, chain, unrestricted)`` for ``path``, or None for a 404.

    ``chain``: the pages from the site's root page to ``page`` (plain ``Page`` objects).
    ``unrestricted``: no view restriction applies to the page.
    """
    site = Site.find_for_request(request)
    if site is None:
        return None
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return _wagtail_route(request, path)
    root_path = next(
        (p.root_path for p in Site.get_site_root_paths() if p.site_id == site.pk), None
    )
    if root_path is None:
        return _wagtail_route(request, path)
    components = [component for component in path.split("/") if component]
    wanted = [
        root_path + "".join(f"{c}/" for c in components[:n]) for n in range(len(components) + 1)
    ]
    found = {p.url_path: p for p in Page.objects.filter(url_path__in=wanted).only(*CHAIN_FIELDS)}
    chain: list[Page] = []
    for url_path in wanted:
        if url_path not in found:
            break
        chain.append(found[url_path])
    if not chain or not chain[-1].live:
        return _wagtail_route(request, path)  # not live: Wagtail decides
    # Past the last page (``data.csv`` under a listing): the page's own route() decides.
    remaining = components[len(chain) - 1 :]
    page = chain[-1].specific
    try:
        page, args, kwargs = page.route(request, remaining)
    except Http404:
        return None
    if page.pk != chain[-1].pk:
        return _wagtail_route(request, path)
    site.root_page = chain[0]  # the site's root page is on the path: no query for it later
    if any(p.alias_of_id for p in chain):
        restricted_ids = {p.alias_of_id or p.pk for p in chain}
        unrestricted = not PageViewRestriction.objects.filter(page_id__in=restricted_ids).exists()
    else:
        # A restriction on the page or an ancestor: the request's one read of every
        # restricted path (thet_site.privacy), which its listings and menu use too.
        unrestricted = not any(chain[-1].path.startswith(p) for p in restricted_paths())
    return page, args, kwargs, chain, unrestricted


def _wagtail_route(request: HttpRequest, path: str) -> Route | None:
    route = Page.route_for_request(request, path)
    if route is None:
        return None
    page, args, kwargs = route
    return page, args, kwargs, None, False


def prime_route(request: HttpRequest, path: str) -> None:
    route = remember(request, "route", (path,), lambda: find_route(request, path))
    if route is None:
        remember_route(request, None)
        return
    page, args, kwargs, chain, unrestricted = route
    page.view_restrictions_known_empty = unrestricted
    cast(RoutedRequest, request)._thet_route_chain = chain
    remember_route(request, (page, args, kwargs))


def prime_site(request: HttpRequest) -> None:
    site = remember(request, "site", (), lambda: Site.find_for_request(request))
    if site is not None:
        remember_site(request, site)


class RouteCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.excluded = tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: Sequence[Any],
        view_kwargs: Mapping[str, Any],
    ) -> None:
        if request.method not in ("GET", "HEAD") or request.path_info.startswith(self.excluded):
            return None  # the admin, documents and /health/ (which must see the database)
        prime_site(request)
        if view_func is wagtail_serve:
            prime_route(request, view_args[0] if view_args else view_kwargs.get("path", ""))
        return None
