"""Wagtail's site lookup and page routing, kept until the content changes (#9).

Serving a page starts with a query for the site, one or two per level of the page tree
to route the path (``/our-work/projects/`` walks home, Our Work, Projects, then loads
the specific page) and two for view restrictions. ``RouteCacheMiddleware`` keeps the
result of that walk, per host and path, under the content generation
(``thet_site/fragments.py``): publishing, unpublishing, moving or deleting a page, or
changing a site or a view restriction, replaces the generation, so a kept route is
never out of date. Wagtail still does the serving; this only fills in the values it
caches on the request itself (``request._wagtail_site`` and
``request._wagtail_route_for_request``), so everything downstream (hooks, privacy
checks, ``Page.serve``) runs as usual.

Only routes that found a page are kept (a 404 for a made-up address is not, so such
addresses cannot fill the cache). A page with view restrictions is kept too, but its
restrictions are read from the database on every request as Wagtail normally does.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from wagtail.models import Page, Site
from wagtail.views import serve as wagtail_serve

from thet_site.fragments import fragment_key, usable

logger = logging.getLogger(__name__)


def _kept(request, name, vary):
    try:
        key = fragment_key(request, name, vary)
        return key, caches[settings.FRAGMENT_CACHE_ALIAS].get(key)
    except Exception:  # DisallowedHost, or the cache is unreachable
        logger.warning("Route cache lookup failed", exc_info=True)
        return None, None


def _keep(key, value):
    try:
        caches[settings.FRAGMENT_CACHE_ALIAS].set(key, value, settings.FRAGMENT_CACHE_SECONDS)
    except Exception:
        logger.warning("Route cache store failed", exc_info=True)


def prime_site(request):
    key, site = _kept(request, "site", ())
    if site is not None:
        request._wagtail_site = site
    elif key is not None:
        site = Site.find_for_request(request)
        if site is not None:
            _keep(key, site)


def prime_route(request, path: str):
    key, kept = _kept(request, "route", (path,))
    if kept is not None:
        page, args, kwargs, unrestricted = kept
        page.view_restrictions_known_empty = unrestricted
        request._wagtail_route_for_request = (page, args, kwargs)
        return
    if key is None:
        return
    route = Page.route_for_request(request, path)
    if route is None:
        return
    page, args, kwargs = route
    unrestricted = not list(page.get_view_restrictions())
    # Stored before the flag is set, so the kept copy is exactly what routing found.
    _keep(key, (page, args, kwargs, unrestricted))
    page.view_restrictions_known_empty = unrestricted


class RouteCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.excluded = tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(self.excluded) or not usable(request):
            return None  # the admin, documents and /health/ (which must see the database)
        prime_site(request)
        if view_func is wagtail_serve:
            prime_route(request, view_args[0] if view_args else view_kwargs.get("path", ""))
        return None
