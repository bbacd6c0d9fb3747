from django.apps import AppConfig


class ThetSiteConfig(AppConfig):
    name = "thet_site"
    verbose_name = "THET site"
