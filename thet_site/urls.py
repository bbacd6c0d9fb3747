import re

from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from pages import views as page_views
from policy.feeds import PublicationFeed
from thet_site.media import serve_image

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", page_views.search, name="search"),
    path("health/", page_views.health, name="health"),
    path("publications/feed/", PublicationFeed(), name="publication_feed"),
    # --- Find and share (#7) ---
    path("sitemap.xml", sitemap, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots_txt",
    ),
]

if settings.MEDIA_SERVED_BY_SITE and settings.MEDIA_URL.startswith("/"):
    # Uploaded images from MEDIA_ROOT, in every mode; never documents (#13): those only
    # go out through /documents/, whose serve view checks launch dates (#6).
    urlpatterns += [
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", serve_image)
    ]

urlpatterns += [path("", include(wagtail_urls))]
