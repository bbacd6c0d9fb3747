from django.apps import AppConfig


class ThetSiteConfig(AppConfig):
    name = "thet_site"
    verbose_name = "THET site"

    def ready(self):
        from thet_site.cdn import connect_signals as connect_cdn_signals
        from thet_site.csvsafe import guard_admin_exports
        from thet_site.pagecache import connect_signals

        connect_signals()
        connect_cdn_signals()  # #14: every content change purges the CDN too

        import thet_site.checks  # noqa: F401 - registers the deploy checks
        from thet_site.filecache import ensure_private_cache_dirs

        ensure_private_cache_dirs()  # #13: fail at start-up, not on a visitor's request
        guard_admin_exports()
