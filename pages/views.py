"""Admin views shared by the apps above the base layer."""

from wagtail.snippets.views.snippets import SnippetViewSet


class TaxonomyViewSet(SnippetViewSet):
    """Admin listing for a taxonomy snippet (countries, themes, partners, types, topics)."""

    search_fields = ["name"]
    # Search the database directly: the search backend fails on SQLite here.
    search_backend_name = None
