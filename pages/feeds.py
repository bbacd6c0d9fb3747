"""What the site's RSS feeds share (news/feeds.py, policy/feeds.py).

An RSS 2.0 feed of the newest pages of one listing: addresses on the site's public URL
(``thet_site.siteurl``), not the request's host; a page's date is its
``publication_date``, at midnight in the site's time zone. Each feed names its
``index_model`` (the listing the feed's link points to), its title and description, and
its items.
"""

import copy
import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils import feedgenerator
from django.utils.timezone import get_default_timezone

from thet_site.privacy import public
from thet_site.siteurl import absolute_url


class ListingFeed(Feed):
    feed_type = feedgenerator.Rss201rev2Feed
    language = "en-gb"
    limit = 20
    index_model: Any = None  # the listing page type the feed's link points to
    request: HttpRequest  # set on the per-request copy

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request: work on a copy that knows this request.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def link(self):
        index = public(self.index_model.objects.live()).first()
        return absolute_url(self.request, index.get_url(request=self.request) if index else "/")

    def feed_url(self):
        return absolute_url(self.request, self.request.path)

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return absolute_url(self.request, item.get_url(request=self.request))

    def item_pubdate(self, item):
        return datetime.datetime.combine(
            item.publication_date, datetime.time(), tzinfo=get_default_timezone()
        )
