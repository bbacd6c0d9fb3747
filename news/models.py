"""News: the news listing (``/news/``) and its stories.

A feature app beside ``partnerships`` and ``policy`` (docs/ARCHITECTURE.md). A story is
tagged with the projects, publications, countries and health themes it is about; those
are referred to by ``"app.Model"`` strings only, so this app imports neither feature app
and neither imports it. What shows a story elsewhere ("In the news" on a project, "Latest
from Tanzania" on a filtered listing, the home page's latest news, site search) is
composed in the top layer, ``sitewide/templatetags/sitewide_tags.py``.
"""

import functools

from django.core.paginator import Paginator
from django.db import models
from django.utils.functional import cached_property
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Page, PageManager
from wagtail.search import index
from wagtailautocomplete.edit_handlers import AutocompletePanel

from pages import structured_data
from pages.models import PAGE_SEARCH_FIELDS, SUMMARY_BOOST, BasePage, SiteFooter, body_field
from pages.pictures import picture_panel, share_image_url, with_pictures
from thet_site.fragments import vary_on_params
from thet_site.privacy import PublicQuerySet
from thet_site.siteurl import absolute_url

STORIES_PER_PAGE = 12
# The one parameter the news listing reads (its kept rendering and cached page vary on it).
LISTING_PARAMS = ("page",)


class NewsStoryQuerySet(PublicQuerySet):
    def for_listing(self):
        """Live, public stories, newest first, with their pictures for the cards."""
        listing = self.live().public().order_by("-publication_date", "-pk")
        return with_pictures(listing, "hero_image")


class NewsIndexPage(BasePage):
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["news.NewsStoryPage"]
    max_count = 1
    page_description = "The list of every news story, newest first, with a feed."
    # What it reads, for the page cache's key once pages state their own parameters
    # ({name: kind}); until then ``page`` is in settings.PAGE_CACHE_QUERY_PARAMS.
    query_params = {"page": "number"}

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
    ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A callable: the template calls it only if it renders, so a kept rendering
        # (thet_site/fragments.py) costs no queries.
        context["stories"] = functools.cache(
            lambda: Paginator(
                NewsStoryPage.objects.child_of(self).for_listing(), STORIES_PER_PAGE
            ).get_page(request.GET.get("page"))
        )
        context["fragment_vary"] = vary_on_params(request, LISTING_PARAMS)
        return context


class NewsStoryPage(BasePage):
    introduction = None
    publication_date = models.DateField(
        "date", help_text="The date the story is published under, shown above it."
    )
    author = models.CharField(
        max_length=160,
        blank=True,
        help_text="Who wrote it, e.g. 'Jane Smith, Programme Officer'; leave blank for THET.",
    )
    summary = models.TextField(
        help_text="Two or three sentences on what happened; shown in lists, feeds and "
        "when the story is shared."
    )
    body = body_field()
    projects = ParentalManyToManyField(
        "partnerships.ProjectPage",
        blank=True,
        related_name="news_stories",
        help_text="Projects the story is about: it is shown on their pages under 'In the news'.",
    )
    publications = ParentalManyToManyField(
        "policy.PublicationPage",
        blank=True,
        related_name="news_stories",
        help_text="Publications the story is about: it is shown on their pages.",
    )
    countries = ParentalManyToManyField(
        "partnerships.Country",
        blank=True,
        related_name="news_stories",
        help_text="Countries the story is about: it is shown on the project list "
        "filtered by that country ('Latest from …').",
    )
    themes = ParentalManyToManyField(
        "partnerships.HealthTheme",
        blank=True,
        related_name="news_stories",
        verbose_name="health themes",
        help_text="Health themes the story is about: it is shown on the project list "
        "filtered by that theme.",
    )

    objects = PageManager.from_queryset(NewsStoryQuerySet)()

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []
    page_description = "A news story: what happened, when, and which work it is about."

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("publication_date"), FieldPanel("author")]),
        FieldPanel("summary"),
        picture_panel("hero_image", "Picture"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                AutocompletePanel("projects", target_model="partnerships.ProjectPage"),
                AutocompletePanel("publications", target_model="policy.PublicationPage"),
                AutocompletePanel("countries"),
                AutocompletePanel("themes"),
            ],
            heading="What it is about",
        ),
    ]
    search_fields = PAGE_SEARCH_FIELDS + [
        index.SearchField("summary", boost=SUMMARY_BOOST),
        index.SearchField("author"),
        index.SearchField("body"),
        index.RelatedFields("countries", [index.SearchField("name", boost=SUMMARY_BOOST)]),
        index.RelatedFields("themes", [index.SearchField("name", boost=SUMMARY_BOOST)]),
        index.FilterField("publication_date"),
    ]

    def get_summary(self) -> str:
        return self.search_description or self.summary

    @cached_property
    def byline(self) -> str:
        return self.author.strip()

    # Read once per render: the story's facts box and its JSON-LD both show them.
    @cached_property
    def country_list(self) -> list:
        return list(self.countries.all())

    @cached_property
    def theme_list(self) -> list:
        return list(self.themes.all())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Callables: the template calls them only if it renders (a kept rendering, see
        # thet_site/fragments.py, costs no queries).
        publisher = functools.cache(lambda: SiteFooter.for_request(request).organisation_name)
        context["structured_data"] = lambda: self.structured_data(request, publisher())
        context["listing_url"] = functools.cache(lambda: self.get_parent().get_url(request=request))
        return context

    def structured_data(self, request, publisher: str) -> dict:
        """schema.org JSON-LD: a ``NewsArticle`` published by THET."""
        url = absolute_url(request, self.get_url(request=request) or "/")
        published = self.publication_date
        modified = self.last_published_at
        if modified is None or modified.date() < published:
            modified = published
        return structured_data.article(
            schema_type="NewsArticle",
            title=self.title,
            description=self.get_summary(),
            url=url,
            published=published,
            modified=modified,
            publisher=publisher,
            home_url=absolute_url(request, "/"),
            authors=[self.byline] if self.byline else [],
            image=share_image_url(self, base=url),
            keywords=[item.name for item in self.country_list + self.theme_list],
        )
