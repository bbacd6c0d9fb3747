"""Template fragments kept until the content changes, on Django's own ``{% cache %}``.

The whole-page cache (``pagecache.py``) serves anonymous visitors; this is what keeps a
page that *is* rendered cheap: the page cache is off, the page is not cached yet, or the
visitor is logged in. The costly parts of a page (menus, breadcrumbs, footer, meta tags,
listings with their facet counts and map) are rendered once and kept in the default
cache under a key that includes the site's content *generation* (see ``pagecache``).
Publishing, unpublishing, moving or deleting a page, or saving a snippet, setting,
image or document, replaces the generation, so every kept fragment is dropped at once
on every server; nothing needs to know which fragment shows what.

In a template (the ``fragment`` variable comes from the ``fragment_cache`` context
processor below)::

    {% load cache %}
    {% cache fragment.timeout content fragment.generation page.pk using=fragment.cache %}
      ...
    {% endcache %}

``fragment.generation`` is the content generation plus the request's scheme and host
(fragments may hold absolute URLs). A page that reads the query string puts the
parameters it understands in ``fragment_vary`` (``vary_on_params``), so unrelated
parameters (``?utm_source=...``) share one fragment and cannot fill the cache.

``fragment.cache`` is the alias to use: ``FRAGMENT_CACHE_ALIAS``, or ``"off"`` (a
``DummyCache``: nothing read, nothing kept) for previews (a draft must never be kept or
be shown a kept live version), in DEBUG (templates change under the developer) unless
``FRAGMENT_CACHE=1``, for anything but GET and HEAD, and when the generation cannot be
read (a cache outage: the page renders as if there were no cache). Nothing is read from
the cache until a template resolves one of these values.

Python code (sitemaps, open data) keeps a value the same way with ``remember()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.http import HttpRequest

from thet_site.pagecache import PageCacheRequest, current_generation, vary_on_params

__all__ = ["fragment_cache", "generation", "remember", "vary_on_params"]

logger = logging.getLogger(__name__)

OFF = "off"  # a DummyCache alias (settings.CACHES)

T = TypeVar("T")


def generation(request: HttpRequest) -> str:
    """The content generation, read once per request; "" if the cache is unreachable."""
    value: str | None = getattr(request, "_content_generation", None)
    if value is None:
        try:
            value = current_generation()
        except Exception:  # a cache outage only costs speed
            logger.warning("Could not read the content generation", exc_info=True)
            value = ""
        cast(PageCacheRequest, request)._content_generation = value
    return value


class FragmentCache:
    """The values ``{% cache %}`` needs, each worked out when a template first asks."""

    def __init__(self, request: HttpRequest | None) -> None:
        self.request = request

    @property
    def timeout(self) -> int:
        return settings.FRAGMENT_CACHE_SECONDS

    @cached_property
    def cache(self) -> str:
        request = self.request
        usable = (
            settings.FRAGMENT_CACHE_ENABLED
            and request is not None
            and not getattr(request, "is_preview", False)
            and request.method in ("GET", "HEAD")
            and bool(generation(request))
        )
        return settings.FRAGMENT_CACHE_ALIAS if usable else OFF

    @cached_property
    def generation(self) -> str:
        if self.cache == OFF or self.request is None:
            return ""
        return f"{generation(self.request)}|{self.request.scheme}://{self.request.get_host()}"


def fragment_cache(request: HttpRequest) -> dict[str, FragmentCache]:
    """Context processor: ``fragment``, for ``{% cache %}``."""
    return {"fragment": FragmentCache(request)}


def remember(
    request: HttpRequest | None, name: str, vary: Iterable[Any], compute: Callable[[], T]
) -> T:
    """``compute()``, kept under (name, vary) until the content changes, keyed as the
    ``{% cache %}`` tag keys a fragment. None is never kept."""
    fragment = FragmentCache(request)
    if fragment.cache == OFF:
        return compute()
    cache = caches[fragment.cache]
    key = make_template_fragment_key(name, [fragment.generation, *vary])
    value: T | None = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(key, value, fragment.timeout)
    return value
