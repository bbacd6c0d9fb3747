from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import views as sitemap_views
from wagtail.documents import urls as wagtaildocs_urls

from pages import views as page_views
from pages.sitemaps import SITEMAPS
from policy import views as policy_views
from policy.feeds import PublicationFeed

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", page_views.search, name="search"),
    path("health/", page_views.health, name="health"),
    path("publications/feed/", PublicationFeed(), name="publication_feed"),
    # --- Find and share (#7) ---
    # An index of sitemap pages of at most 200 URLs each (#17, pages/sitemaps.py).
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots_txt",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Documents only ever go out through /documents/ (the serve view checks launch
    # dates, #6), so the development media server must not hand them out either.
    urlpatterns += [re_path(r"^media/documents/", policy_views.no_direct_documents)]
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
