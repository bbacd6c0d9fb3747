"""RSS 2.0 feed of the latest news stories, at /news/feed/ (as policy/feeds.py does for
publications)."""

from news.models import NewsIndexPage, NewsStoryPage
from pages.feeds import ListingFeed


class NewsFeed(ListingFeed):
    index_model = NewsIndexPage
    title = "THET news"
    description = (
        "News and stories from THET, the Tropical Health & Education Trust, and the "
        "health partnerships it supports."
    )

    def items(self):
        # The categories come from two prefetches, not one query per story.
        return NewsStoryPage.objects.for_listing().prefetch_related("countries", "themes")[
            : self.limit
        ]

    def item_description(self, item):
        return item.get_summary()

    def item_author_name(self, item):
        return item.byline or None

    def item_categories(self, item):
        return [country.name for country in item.countries.all()] + [
            theme.name for theme in item.themes.all()
        ]
