"""Policy Work, publications (reports, papers, briefings) and their taxonomy."""

from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db import models
from django.utils.functional import cached_property
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from pages.models import BasePage, body_field
from partnerships.models import TaxonomyBase


class PublicationType(TaxonomyBase):
    plural = models.CharField(
        max_length=160, blank=True, help_text="Used as a heading in lists, e.g. 'Reports'."
    )

    panels = [FieldPanel("name"), FieldPanel("plural"), FieldPanel("slug")]


class Topic(TaxonomyBase):
    panels = [FieldPanel("name"), FieldPanel("slug")]


class PublicationQuerySet(PageQuerySet):
    def for_listing(self):
        return (
            self.live()
            .public()
            .select_related("publication_type", "document", "cover_image")
            .prefetch_related("topics")
            .order_by("-publication_date", "-pk")
        )


class PublicationPage(BasePage):
    introduction = None
    publication_type = models.ForeignKey(
        PublicationType,
        null=True,
        on_delete=models.PROTECT,
        related_name="publications",
        help_text="Report, discussion paper, policy paper or briefing.",
    )
    publication_date = models.DateField(
        help_text="The date the publication was (or will be) launched, as shown to readers."
    )
    summary = models.TextField(
        help_text="Two or three sentences on what it says; shown in lists and when shared."
    )
    authors = models.CharField(
        max_length=255,
        blank=True,
        help_text="Names separated by commas; leave blank if written by THET as a whole.",
    )
    topics = ParentalManyToManyField(
        Topic, blank=True, related_name="publications", help_text="What it is about."
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The front cover, shown beside the summary.",
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The full publication (usually a PDF). Leave blank if there is no file.",
    )
    body = body_field()

    objects = PageManager.from_queryset(PublicationQuerySet)()

    parent_page_types = ["policy.PublicationIndexPage"]
    subpage_types = []
    page_description = "A report, discussion paper, policy paper or briefing."

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("publication_type"), FieldPanel("publication_date")]),
        FieldPanel("summary"),
        FieldPanel("authors"),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel([FieldPanel("document"), FieldPanel("cover_image")], heading="Files"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("authors"),
        index.SearchField("body"),
        index.RelatedFields("publication_type", [index.SearchField("name")]),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.FilterField("publication_date"),
    ]

    def get_summary(self) -> str:
        return self.search_description or self.summary

    @property
    def author_list(self) -> list[str]:
        return [name.strip() for name in self.authors.split(",") if name.strip()]

    @cached_property
    def related_publications(self):
        """Up to three other live publications that share a topic, newest first."""
        return (
            PublicationPage.objects.for_listing()
            .exclude(pk=self.pk)
            .filter(topics__in=self.topics.all())
            .distinct()[:3]
        )


class PublicationIndexPage(BasePage):
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["policy.PublicationPage"]
    max_count = 1
    page_description = "The list of every publication, with filters and a feed."

    content_panels = Page.content_panels + [FieldPanel("introduction")]

    per_page = 12

    def get_context(self, request, *args, **kwargs):
        from policy.forms import PublicationFilterForm

        context = super().get_context(request, *args, **kwargs)
        publications = PublicationPage.objects.child_of(self).for_listing()
        years = sorted(
            {d.year for d in publications.order_by().dates("publication_date", "year")},
            reverse=True,
        )
        form = PublicationFilterForm(request.GET or None, years=years)
        filtered = form.apply(publications)
        context["form"] = form
        context["querystring"] = urlencode(form.active)
        context["publications"] = Paginator(filtered, self.per_page).get_page(
            request.GET.get("page")
        )
        return context


class PolicyWorkPage(BasePage):
    emphasis = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ul", "ol"],
        help_text="'Our emphasis': how THET goes about its policy work.",
    )
    ambition = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ul", "ol"],
        help_text="'Our ambition': what the policy work aims for.",
    )
    body = body_field()

    parent_page_types = ["pages.OurWorkPage"]
    subpage_types = []
    max_count = 1
    page_description = "The Policy Work page: emphasis, ambition and featured publications."

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("emphasis"),
        FieldPanel("ambition"),
        InlinePanel(
            "featured_publications",
            label="Featured publications",
            help_text="Pick publications to feature, in the order to show them.",
        ),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("emphasis"),
        index.SearchField("ambition"),
        index.SearchField("body"),
    ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        featured = [
            item.publication
            for item in self.featured_publications.select_related(
                "publication__publication_type", "publication__cover_image"
            )
            if item.publication.live
        ]
        context["featured"] = featured
        context["latest"] = PublicationPage.objects.for_listing().exclude(
            pk__in=[p.pk for p in featured]
        )[:3]
        return context


class PolicyWorkFeaturedPublication(Orderable):
    page = ParentalKey(
        PolicyWorkPage, on_delete=models.CASCADE, related_name="featured_publications"
    )
    publication = models.ForeignKey(
        PublicationPage,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A publication to feature on Policy Work.",
    )

    panels = [FieldPanel("publication")]
