import re

from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import views as sitemap_views
from wagtail.documents import urls as wagtaildocs_urls

from news.feeds import NewsFeed
from pages import sitemaps
from policy.feeds import PublicationFeed
from sitewide import views as sitewide_views
from thet_site import documents
from thet_site.media import serve_image
from thet_site.pagecache import reads_query

# a statement timeout outside a view is a 503 too (see thet_site/database.py).
handler500 = "thet_site.database.server_error"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's download view with valid headers only (thet_site/documents.py); the rest
    # of Wagtail's document URLs (the password form of a restricted file) as they are.
    re_path(r"^documents/(\d+)/(.*)$", documents.serve, name="wagtaildocs_serve"),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", sitewide_views.search, name="search"),
    path("health/", sitewide_views.health, name="health"),
    # Views that read no query string: every address with one shares the plain entry.
    path("publications/feed/", reads_query({}, PublicationFeed()), name="publication_feed"),
    path("news/feed/", reads_query({}, NewsFeed()), name="news_feed"),
    # --- Find and share ---
    # An index of sitemap pages of at most 200 URLs each (pages/sitemaps.py).
    path(
        "sitemap.xml",
        sitemaps.kept(sitemaps.index),
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps.kept(sitemap_views.sitemap),
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap_section",
    ),
    path(
        "robots.txt",
        reads_query(
            {}, TemplateView.as_view(template_name="robots.txt", content_type="text/plain")
        ),
        name="robots_txt",
    ),
]

if settings.MEDIA_SERVED_BY_SITE and settings.MEDIA_URL.startswith("/"):
    # Uploaded images from MEDIA_ROOT, in every mode; never documents: those only
    # go out through /documents/, whose serve view checks launch dates.
    urlpatterns += [
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", serve_image)
    ]

# Open data and a publication's citation files: a page's routes that end in a file name,
# such as /our-work/projects/data.csv or /publications/<slug>/cite.ris (Wagtail's own
# pattern only takes paths that end in "/").
urlpatterns += [
    re_path(
        r"^((?:[\w\-]+/)+(?:data\.(?:csv|json|xml)|cite\.(?:ris|bib)))$",
        wagtail_views.serve,
    )
]
urlpatterns += [path("", include(wagtail_urls))]
