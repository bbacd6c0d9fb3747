"""Template fragments kept until the content changes (#9).

The whole-page cache (``pagecache.py``) serves anonymous visitors; this is what keeps a
page that *is* rendered cheap: the page cache is off, the page is not cached yet, or the
visitor is logged in. The costly parts of a page (menus, breadcrumbs, footer, meta tags,
listings with their facet counts and map) are rendered once and kept in the default
cache under a key that includes the site's content *generation* (see ``pagecache``).
Publishing, unpublishing, moving or deleting a page, or saving a snippet, setting,
image or document, replaces the generation, so every kept fragment is dropped at once
on every server; nothing needs to know which fragment shows what.

In a template::

    {% load fragments %}
    {% fragment "content" page.pk fragment_vary %} ... {% endfragment %}

The key is the fragment's name, the request's scheme and host (fragments may hold
absolute URLs) and the vary values. A page that reads the query string puts the
parameters it understands in ``fragment_vary`` (``vary_on_params``), so unrelated
parameters (``?utm_source=...``) share one fragment and cannot fill the cache.

Fragments are never used for previews (a draft must never be kept or be shown a kept
live version), in DEBUG (templates change under the developer) unless
``FRAGMENT_CACHE=1``, or when the cache cannot be reached (the fragment is then rendered
as if there were no cache).
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches

from thet_site.pagecache import current_generation

logger = logging.getLogger(__name__)


def generation(request) -> str:
    """The content generation, read once per request; "" if the cache is unreachable."""
    value = getattr(request, "_content_generation", None)
    if value is None:
        try:
            value = current_generation()
        except Exception:  # a cache outage only costs speed
            logger.warning("Could not read the content generation", exc_info=True)
            value = ""
        request._content_generation = value
    return value


def usable(request) -> bool:
    return (
        settings.FRAGMENT_CACHE_ENABLED
        and request is not None
        and not getattr(request, "is_preview", False)
        and request.method in ("GET", "HEAD")
        and bool(generation(request))
    )


def fragment_key(request, name: str, vary) -> str:
    raw = repr((request.scheme, request.get_host(), name, *vary))
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"fragment:{generation(request)}:{digest}"


def remember(request, name: str, vary, compute):
    """``compute()``, kept under (name, vary) until the content changes. The value is
    pickled as it is stored, so changing it afterwards does not change what is kept;
    None is never kept."""
    if not usable(request):
        return compute()
    cache = caches[settings.FRAGMENT_CACHE_ALIAS]
    try:
        key = fragment_key(request, name, vary)
        value = cache.get(key)
    except Exception:  # DisallowedHost, or the cache is unreachable
        logger.warning("Fragment cache lookup failed", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        if value is None:
            return value
        try:
            cache.set(key, value, settings.FRAGMENT_CACHE_SECONDS)
        except Exception:
            logger.warning("Fragment cache store failed", exc_info=True)
    return value


def vary_on_params(request, names) -> str:
    """The query string reduced to the parameters ``names`` that a page reads, in order."""
    return urlencode([(name, value) for name in names for value in request.GET.getlist(name)])
