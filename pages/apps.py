from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Pages"

    def ready(self):
        from pages import signals
        from pages.search import connect_signals

        signals.connect()
        connect_signals()  # keep the search index in step with taxonomy names (#7)
