"""The sitemap: ``/sitemap.xml`` is an index of ``/sitemap-pages.xml?p=N``.

Wagtail's sitemap (``wagtail.contrib.sitemaps``) lists every live page of the site in one
response; at ten times THET's size that took over a second to build. Here it is paginated
with Django's sitemap ``limit`` (``SITEMAP_PAGE_SIZE`` URLs a page) under a sitemap index,
so each response builds a fixed number of URLs in a fixed number of queries, whatever the
size of the site (200 URLs take about 0.1 s on a quiet machine, 0.25 s on a busy one; a
crawler fetches the pages one by one). Every ``<loc>``, the index's too, is on the site's
one public address (``thet_site.siteurl``); ``<lastmod>`` is the page's last
publication (``last_published_at``).
Private pages (a view restriction on the page or an ancestor) and drafts are never listed.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.contrib.sitemaps import views as django_sitemap_views
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from wagtail.contrib.sitemaps import Sitemap

from thet_site.fragments import remember, vary_on_params
from thet_site.pagecache import read_query
from thet_site.privacy import public
from thet_site.siteurl import absolute_url, base_url

SITEMAP_PAGE_SIZE = 200


class PageSitemap(Sitemap):
    limit = SITEMAP_PAGE_SIZE

    def pages(self):
        """Every live, public page of the request's site (as Wagtail's ``items``)."""
        root = self.get_wagtail_site().root_page
        return public(root.get_descendants(inclusive=True).live())

    def items(self):
        # Specific instances with only the base page's fields (no query per page type:
        # each one more type would cost every sitemap page a query); what a page's
        # sitemap entry needs (its URL, last publication) is all on the base page.
        return self.pages().order_by("path").specific(defer=True)

    def get_latest_lastmod(self):
        """The index's ``<lastmod>``: one aggregate, not every page's ``lastmod``
        (Django's default reads every item)."""
        latest = Coalesce("last_published_at", "latest_revision_created_at")
        return self.pages().aggregate(latest=Max(latest))["latest"]

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url_info in urls:
            url_info["location"] = absolute_url(self.request, url_info["location"])
        return urls


SITEMAPS = {"pages": PageSitemap}


KEPT_HEADERS = ("Content-Type", "X-Robots-Tag", "Last-Modified")


def kept(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
    """``view``'s rendered XML kept until the content changes (thet_site.fragments), so a
    crawler fetching every page of the sitemap after a publish renders each page once."""

    def keep(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        read_query(request, {"p": "number"})  # the page of the sitemap, for the page cache

        def render():
            response = view(request, **kwargs)
            if response.status_code != 200:
                return None  # never kept: an out-of-range page stays a 404
            response.render()
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            return response.content, headers

        vary = (view.__name__, kwargs.get("section", ""), vary_on_params(request, ["p"]))
        value = remember(request, "sitemap", vary, render)
        if value is None:
            return view(request, **kwargs)
        content, headers = value
        response = HttpResponse(content)
        for name, header in headers.items():
            response[name] = header
        return response

    keep.__name__ = view.__name__
    return keep


def index(request, **kwargs):
    """Django's sitemap index, with each sitemap page's ``<loc>`` on the site's public
    address rather than the request's host."""
    response = django_sitemap_views.index(request, **kwargs)
    base = base_url(request)
    for item in (response.context_data or {}).get("sitemaps", []):
        parts = urlsplit(item.location)
        item.location = base + parts.path + (f"?{parts.query}" if parts.query else "")
    return response
