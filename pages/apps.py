from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Pages"

    def ready(self):
        # Django's convention: modules that import models (as these do) are imported once
        # the app registry is ready, not at the top of apps.py (which loads before models).
        from pages import pictures, signals  # noqa: PLC0415

        signals.connect()
        pictures.connect()  # make a published picture's renditions at once
