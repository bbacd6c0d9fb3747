from django.apps import AppConfig


class ThetSiteConfig(AppConfig):
    name = "thet_site"
    verbose_name = "THET site"

    def ready(self):
        from thet_site.csvsafe import guard_admin_exports
        from thet_site.pagecache import connect_signals

        connect_signals()
        guard_admin_exports()
