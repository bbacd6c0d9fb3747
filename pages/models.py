"""Home, Our Work and generic content pages, and the site footer setting."""

from functools import cache

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.search import index

from pages.blocks import BodyBlock, NavLinkBlock, SocialLinkBlock, StatisticBlock
from pages.pictures import PicturePageForm, alt_field, decorative_field, picture_of, picture_panel
from thet_site.privacy import public


class SummaryMixin(models.Model):
    """A short plain-text summary used in listings, cards and the meta description."""

    introduction = models.TextField(
        blank=True,
        help_text="One or two sentences under the title; also used in listings and "
        "as the description search engines show.",
    )

    class Meta:
        abstract = True

    def get_summary(self) -> str:
        return self.search_description or self.introduction


# Search weights (#7). Wagtail's Page gives the title boost 2; ours is higher so a word in a
# title outranks the same word repeated in body text (a later field of the same name
# replaces the earlier one). On PostgreSQL the boosts become tsvector weights A–D (images
# and documents hold A at 10): titles B, summaries and taxonomy names C, body text D.
# SQLite's backend ranks by BM25 over title and body and ignores boosts.
TITLE_BOOST = 5
SUMMARY_BOOST = 2
PAGE_SEARCH_FIELDS = Page.search_fields + [
    index.SearchField("title", boost=TITLE_BOOST),
    index.SearchField("search_description", boost=SUMMARY_BOOST),
]


class BasePage(SummaryMixin, Page):
    """Shared by every page type of the site."""

    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="picture",
        help_text="Optional: a wide photo at the top of the page, also on the page's card "
        "in lists and when the page is shared. Landscape, at least 1600 pixels wide.",
    )
    hero_image_alt = alt_field()
    hero_image_decorative = decorative_field()

    search_fields = PAGE_SEARCH_FIELDS + [index.SearchField("introduction", boost=SUMMARY_BOOST)]
    base_form_class = PicturePageForm

    class Meta:
        abstract = True

    @property
    def hero_picture(self):
        """The page's picture for templates (pages/pictures.py), or None."""
        return picture_of(self, "hero_image")

    def get_view_restrictions(self):
        # Set by thet_site.routing on a page it has just checked, for this request only.
        if getattr(self, "view_restrictions_known_empty", False):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


def body_field(**kwargs):
    return StreamField(
        BodyBlock(), blank=True, help_text="The main content, built from blocks.", **kwargs
    )


class HomePage(BasePage):
    headline = models.CharField(
        max_length=160,
        help_text="The big line at the top of the home page.",
    )
    vision = models.CharField(max_length=255, blank=True, help_text="THET's vision, one line.")
    mission = models.CharField(max_length=255, blank=True, help_text="THET's mission, one line.")
    hero_links = StreamField(
        [("link", NavLinkBlock())],
        blank=True,
        max_num=3,
        verbose_name="buttons",
        help_text="Up to three buttons under the introduction. Leave empty for the standard "
        "two: 'Explore our work' and 'Read our publications'.",
    )
    statistics_heading = models.CharField(
        max_length=80,
        blank=True,
        default="THET in figures",
        help_text="The heading over the headline figures; 'THET in figures' if left blank.",
    )
    statistics = StreamField(
        [("statistic", StatisticBlock())],
        blank=True,
        max_num=6,
        help_text="Headline figures shown under the introduction.",
    )
    body = body_field()

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "pages.ContentPage",
        "pages.OurWorkPage",
        "policy.PublicationIndexPage",
        "news.NewsIndexPage",
    ]
    max_count = 1
    page_description = "The home page of the site. There is only one."

    content_panels = Page.content_panels + [
        FieldPanel("headline"),
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
        FieldPanel("hero_links"),
        MultiFieldPanel(
            [FieldPanel("vision"), FieldPanel("mission")], heading="Vision and mission"
        ),
        MultiFieldPanel(
            [FieldPanel("statistics_heading"), FieldPanel("statistics")], heading="Figures"
        ),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("headline"),
        index.SearchField("body"),
    ]

    # Its latest publications come from the template's {% latest_publications %} tag
    # (sitewide/templatetags/sitewide_tags.py): the base layer does not import policy (#14).


class OurWorkPage(BasePage):
    body = body_field()

    parent_page_types = ["pages.HomePage"]
    subpage_types = [
        "policy.PolicyWorkPage",
        "partnerships.ProgrammePage",
        "partnerships.ProjectIndexPage",
        "pages.ContentPage",
    ]
    max_count = 1
    page_description = "The section index of THET's work."

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("body")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A callable: the template calls it only if it renders, so a kept rendering
        # (thet_site/fragments.py) costs no queries.
        context["sections"] = cache(
            lambda: list(public(self.get_children().live()).specific().order_by("path"))
        )
        return context


class ContentPage(BasePage):
    body = body_field()

    parent_page_types = ["pages.HomePage", "pages.OurWorkPage", "pages.ContentPage"]
    subpage_types = ["pages.ContentPage"]
    page_description = "A general page of text, images and figures, e.g. About."

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("body")]


@register_setting(icon="bars")
class MainMenu(BaseSiteSetting):
    """The links across the top of every page (#15)."""

    items = StreamField(
        [("link", NavLinkBlock())],
        blank=True,
        max_num=8,
        verbose_name="menu links",
        help_text="The menu's links in order: pages of the site (relabelled if you like) or "
        "addresses elsewhere. Leave empty to list the home page's sections ticked "
        "'Show in menus' (Promote tab), under their titles. 'Search' is always last.",
    )

    panels = [FieldPanel("items")]

    class Meta:
        verbose_name = "Main menu"

    @classmethod
    def links_for(cls, request) -> list:
        """The menu's links for the request's site; [] while none are set. Unlike
        ``for_request`` this never creates the setting's row: a save would empty every
        kept fragment (thet_site/fragments.py) on a visitor's first request."""
        site = Site.find_for_request(request)
        menu = cls.objects.filter(site=site).first() if site else None
        return [block.value for block in menu.items] if menu else []


@register_setting(icon="list-ul")
class SiteFooter(BaseSiteSetting):
    organisation_name = models.CharField(
        max_length=160,
        default="Tropical Health & Education Trust (THET)",
        help_text="The charity's name as it appears in the footer.",
    )
    address = models.TextField(blank=True, help_text="Postal address, one line per row.")
    charity_number = models.CharField(
        max_length=40, blank=True, help_text="Registered charity number, e.g. 1113101."
    )
    company_number = models.CharField(
        max_length=40, blank=True, help_text="Registered company number, if any."
    )
    email = models.EmailField(blank=True, help_text="The public contact address.")
    social_links = StreamField(
        [("link", SocialLinkBlock())],
        blank=True,
        help_text="THET's profiles on social networks, in the order to show them.",
    )

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("address"),
        MultiFieldPanel(
            [FieldPanel("charity_number"), FieldPanel("company_number")],
            heading="Registration",
        ),
        FieldPanel("email"),
        FieldPanel("social_links"),
    ]

    class Meta:
        verbose_name = "Footer"
