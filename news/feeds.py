"""RSS 2.0 feed of the latest news stories, at /news/feed/ (as policy/feeds.py does for
publications)."""

import copy
import datetime

from django.contrib.syndication.views import Feed
from django.utils import feedgenerator
from django.utils.timezone import get_default_timezone

from news.models import NewsIndexPage, NewsStoryPage
from thet_site.privacy import public
from thet_site.siteurl import absolute_url


class NewsFeed(Feed):
    feed_type = feedgenerator.Rss201rev2Feed
    title = "THET news"
    description = (
        "News and stories from THET, the Tropical Health & Education Trust, and the "
        "health partnerships it supports."
    )
    language = "en-gb"
    limit = 20

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request: work on a copy that knows this request.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    # Every address on the site's public URL (thet_site.siteurl), not the request's host.
    def link(self):
        index = public(NewsIndexPage.objects.live()).first()
        return absolute_url(self.request, index.get_url(request=self.request) if index else "/")

    def feed_url(self):
        return absolute_url(self.request, self.request.path)

    def items(self):
        # The categories come from two prefetches, not one query per story.
        return NewsStoryPage.objects.for_listing().prefetch_related("countries", "themes")[
            : self.limit
        ]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.get_summary()

    def item_link(self, item):
        return absolute_url(self.request, item.get_url(request=self.request))

    def item_pubdate(self, item):
        return datetime.datetime.combine(
            item.publication_date, datetime.time(), tzinfo=get_default_timezone()
        )

    def item_author_name(self, item):
        return item.byline or None

    def item_categories(self, item):
        return [country.name for country in item.countries.all()] + [
            theme.name for theme in item.themes.all()
        ]
