from django.apps import AppConfig


class ThetSiteConfig(AppConfig):
    name = "thet_site"
    verbose_name = "THET site"

    def ready(self) -> None:
        # Django's convention: modules that import models (Wagtail's, here) are imported
        # once the app registry is ready, not at the top of apps.py (which loads before).
        import thet_site.checks  # noqa: F401, PLC0415 - registers the deploy checks
        from thet_site.cdn import connect_signals as connect_cdn_signals  # noqa: PLC0415
        from thet_site.csvsafe import guard_admin_exports  # noqa: PLC0415
        from thet_site.filecache import ensure_private_cache_dirs  # noqa: PLC0415
        from thet_site.pagecache import connect_signals  # noqa: PLC0415

        connect_signals()
        connect_cdn_signals()  # every content change purges the CDN too

        ensure_private_cache_dirs()  # fail at start-up, not on a visitor's request
        guard_admin_exports()
