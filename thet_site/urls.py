from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from pages import views as page_views
from policy import views as policy_views
from policy.feeds import PublicationFeed
from thet_site.sitemap import PublicSitemap

# #13: a statement timeout outside a view is a 503 too (see thet_site/database.py).
handler500 = "thet_site.database.server_error"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", page_views.search, name="search"),
    path("health/", page_views.health, name="health"),
    path("publications/feed/", PublicationFeed(), name="publication_feed"),
    # --- Find and share (#7) ---
    path("sitemap.xml", sitemap, {"sitemaps": {"wagtail": PublicSitemap}}, name="sitemap"),
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
