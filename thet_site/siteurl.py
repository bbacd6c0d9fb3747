"""The site's public address: one source for every absolute URL it writes.

Canonical links, ``og:url``, JSON-LD, the sitemap, ``robots.txt``, the RSS feed and a
publication's citation tags all call ``absolute_url``. The base is, in order:

1. ``SITE_URL`` (e.g. ``https://www.thet.org``), which ``manage.py set_site_url`` (run
   by ``make serve``) also writes into Wagtail's Site record, so the admin's own links
   agree;
2. with ``DEBUG`` on, the address the request came in on (``http://127.0.0.1:8000``);
3. otherwise the Wagtail Site record (*Settings → Sites*), never the request's Host
   header, so every server and every host name gives the same canonical addresses.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from wagtail.models import Site


def _site_root(request: HttpRequest | None) -> str:
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    return str(site.root_url) if site is not None else ""


def base_url(request: HttpRequest | None = None) -> str:
    """The public address without a trailing slash, e.g. ``https://www.thet.org``."""
    if settings.SITE_URL:
        return str(settings.SITE_URL)
    if request is not None and settings.DEBUG:
        return request.build_absolute_uri("/").rstrip("/")
    root = _site_root(request)
    if not root and request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return root


def absolute_url(request: HttpRequest | None, url: str) -> str:
    """``url`` (a path, or a full URL on this site's Wagtail Site) on the public address.

    Full URLs elsewhere (a CDN, a media bucket, another site) are returned unchanged.
    """
    url = url or "/"
    base = base_url(request)
    if url.startswith("//"):
        return (urlsplit(base).scheme or "https") + ":" + url
    if url.startswith(("http://", "https://")):
        root = _site_root(request)
        if root and (url == root or url.startswith(root + "/")) and root != base:
            return base + url[len(root) :]
        return url
    if not url.startswith("/"):
        url = "/" + url
    return base + url
