from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Pages"

    def ready(self):
        from pages import pictures, signals
        from pages.search import connect_signals

        signals.connect()
        pictures.connect()  # make a published picture's renditions at once (#15)
        connect_signals()  # keep the search index in step with taxonomy names (#7)
