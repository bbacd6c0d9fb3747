"""The top layer: site-wide composition (site search, the seed loader, health, the home
page's latest publications). It may import every app; nothing imports it except
``thet_site.urls`` (docs/ARCHITECTURE.md)."""

from django.apps import AppConfig


class SitewideConfig(AppConfig):
    name = "sitewide"
    verbose_name = "Site-wide"

    def ready(self):
        # Django's convention: sitewide.search imports every app's models, so it is
        # imported once the app registry is ready, not at the top of apps.py.
        from sitewide.search import connect_signals  # noqa: PLC0415

        connect_signals()  # keep the search index in step with taxonomy names
