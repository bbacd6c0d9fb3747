"""Policy Work, publications (reports, papers, briefings) and their taxonomy.

The publication listing (its view-model and open data) is in ``policy/listings.py``, its
filter form in ``forms.py``: this module imports them and they import no model
(``PublicationIndexPage`` hands the listing its publications, types and topics). Whether a
document is held back until its publication launches is ``policy/holdback.py``.
"""

import datetime
import functools
import logging

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    Orderable,
    Page,
    PageManager,
)
from wagtail.search import index

from pages import reports, structured_data
from pages.blocks import FootnotesBlock, ReportBlock
from pages.listings import FilterableListingPage
from pages.models import PAGE_SEARCH_FIELDS, SUMMARY_BOOST, BasePage, SiteFooter, body_field
from pages.pictures import (
    COVER_SPECS,
    alt_field,
    decorative_field,
    picture_of,
    picture_panel,
    share_image_url,
    with_pictures,
)
from pages.taxonomy import TaxonomyBase
from policy import citations
from policy.listings import PublicationListing
from policy.panels import DocumentCheckPanel
from policy.signoff import SignOffRequired
from thet_site.privacy import PublicQuerySet
from thet_site.siteurl import absolute_url

logger = logging.getLogger(__name__)


class PublicationType(TaxonomyBase):
    plural = models.CharField(
        max_length=160, blank=True, help_text="Used as a heading in lists, e.g. 'Reports'."
    )

    panels = [FieldPanel("name"), FieldPanel("plural"), FieldPanel("slug")]


class Topic(TaxonomyBase):
    panels = [FieldPanel("name"), FieldPanel("slug")]


# Readers' names for the document formats the policy team uploads.
DOCUMENT_FORMATS = {
    "pdf": "PDF",
    "docx": "Word document",
    "xlsx": "Excel spreadsheet",
    "pptx": "PowerPoint presentation",
    "csv": "CSV spreadsheet",
}

# The share image: the cover cut as for og:image, else the site's default (as seo_tags).

# schema.org type for each publication type (by slug); anything else is a Report.
SCHEMA_TYPES = {"discussion-paper": "ScholarlyArticle"}


def launch_moment(date: datetime.date) -> datetime.datetime:
    """The start of ``date`` in the site's time zone (London)."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


class PublicationQuerySet(PublicQuerySet):
    def for_listing(self):
        listing = (
            self.live()
            .public()
            .select_related("publication_type", "document")
            .prefetch_related("topics")
            .order_by("-publication_date", "-pk")
        )
        return with_pictures(listing, "cover_image", specs=COVER_SPECS)


class PublicationPage(RoutablePageMixin, SignOffRequired, BasePage):
    introduction = None
    publication_type = models.ForeignKey(
        PublicationType,
        null=True,
        on_delete=models.PROTECT,
        related_name="publications",
        help_text="Report, discussion paper, policy paper or briefing.",
    )
    publication_date = models.DateField(
        help_text="The date readers see as the publication date. A date still to come is "
        "also the launch: the page and its file stay hidden until then, even once signed "
        "off, and go live at the start of that day (or later, at a time set with 'Set "
        "schedule').",
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
        verbose_name="cover",
        help_text="The front cover: shown beside the summary, on the publication's card in "
        "lists and when it is shared.",
    )
    cover_image_alt = alt_field()
    cover_image_decorative = decorative_field()
    document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The full publication (usually a PDF). Leave blank if there is no file.",
    )
    body = body_field()
    full_text = StreamField(
        ReportBlock(),
        blank=True,
        verbose_name="full text",
        help_text="The whole publication as a web page, section by section (optional). "
        "Readers get a table of contents, reading time, notes and a citation; the file "
        "above becomes the alternative. Paste from Word: only the structure is kept.",
    )
    footnotes = StreamField(
        FootnotesBlock(),
        blank=True,
        verbose_name="notes",
        help_text="The full text's footnotes, numbered in this order. In the text, type the "
        "note's number in square brackets where it applies, e.g. [1].",
    )

    objects = PageManager.from_queryset(PublicationQuerySet)()

    parent_page_types = ["policy.PublicationIndexPage"]
    subpage_types = []
    page_description = "A report, discussion paper, policy paper or briefing."

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("publication_type"), FieldPanel("publication_date")]),
        FieldPanel("summary"),
        FieldPanel("authors"),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel([FieldPanel("document"), DocumentCheckPanel()], heading="Files"),
        picture_panel("cover_image", "Cover"),
        picture_panel("hero_image", "Picture at the top"),
        FieldPanel("body"),
        FieldPanel("full_text"),
        FieldPanel("footnotes"),
    ]
    search_fields = PAGE_SEARCH_FIELDS + [
        index.SearchField("summary", boost=SUMMARY_BOOST),
        index.SearchField("authors", boost=SUMMARY_BOOST),
        index.SearchField("body"),
        index.SearchField("full_text"),
        index.SearchField("footnotes"),
        index.RelatedFields("publication_type", [index.SearchField("name")]),
        index.RelatedFields("topics", [index.SearchField("name", boost=SUMMARY_BOOST)]),
        index.FilterField("publication_date"),
    ]

    def get_summary(self) -> str:
        return self.search_description or self.summary

    def save_revision(self, *args, **kwargs):
        self.hold_until_launch()
        return super().save_revision(*args, **kwargs)

    def hold_until_launch(self) -> None:
        """Make the launch date hold the page back: a revision dated in the future
        goes live no earlier than the start of that day, so whoever approves or publishes
        it before then schedules it instead. A later go-live time set with 'Set
        schedule' (say 10:00 on the day, or a later day) is kept; one at midnight is taken
        to come from an earlier launch date and follows the date when it changes."""
        if not self.publication_date:
            return
        launch = launch_moment(self.publication_date)
        current = self.go_live_at
        from_a_date = (
            current is not None and timezone.localtime(current).time() == datetime.time.min
        )
        if current is None or from_a_date or current < launch:
            self.go_live_at = launch if launch > timezone.now() else None

    @property
    def cover_picture(self):
        """The cover for templates (pages/pictures.py), or None."""
        return picture_of(self, "cover_image", fallback_alt=f"Cover of {self.title}")

    @property
    def launch_pending(self) -> bool:
        return bool(self.go_live_at and self.go_live_at > timezone.now())

    @property
    def document_format(self) -> str:
        """The document's format as readers know it, e.g. 'PDF' or 'Word document'."""
        if not self.document:
            return ""
        extension = self.document.file_extension.lower()
        return DOCUMENT_FORMATS.get(extension, extension.upper())

    @cached_property
    def document_check(self):
        """The PDF's accessibility check (policy/pdfcheck.py), or None."""
        if self.document is None:
            return None
        return DocumentCheck.objects.filter(document=self.document).first()

    @cached_property
    def report_sections(self) -> list:
        """The full text's sections with their anchors (pages/reports.py)."""
        return reports.outline(self.full_text)

    @cached_property
    def report_text(self) -> str:
        """The full text's words, plain."""
        return reports.plain_text(self.report_sections)

    @property
    def reading_minutes(self) -> int:
        return reports.reading_minutes(self.report_text)

    def footnote_linker(self):
        return reports.FootnoteLinker(len(self.footnotes))

    @property
    def notes(self) -> list[tuple[int, object]]:
        """(number, note) for each footnote, with the ids the marks and notes use."""
        return [
            {
                "number": n,
                "value": block.value,
                "id": reports.note_id(n),
                "ref_id": reports.note_ref_id(n),
            }
            for n, block in enumerate(self.footnotes, start=1)
        ]

    @property
    def schema_type(self) -> str:
        return SCHEMA_TYPES.get(getattr(self.publication_type, "slug", ""), "Report")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Callables: the template calls them only if it renders (a kept rendering, see
        # thet_site/fragments.py, costs no queries).
        publisher = functools.cache(lambda: SiteFooter.for_request(request).organisation_name)
        context["citation_meta"] = lambda: self.citation_meta(request, publisher())
        context["structured_data"] = lambda: self.structured_data(request, publisher())
        context["listing_url"] = functools.cache(lambda: self.get_parent().get_url(request=request))
        context["citation"] = lambda: citations.Citation(self.citation_fields(request, publisher()))
        context["footnotes"] = self.footnote_linker()
        context["accessible_format_email"] = settings.ACCESSIBLE_FORMAT_EMAIL
        return context

    @re_path(r"^cite\.(?P<fmt>ris|bib)/$", name="cite")
    def cite(self, request, fmt):
        """The citation as a file for reference managers: RIS or BibTeX, with the same
        fields as the page's ``citation_*`` metadata."""
        publisher = SiteFooter.for_request(request).organisation_name
        return citations.respond(citations.Citation(self.citation_fields(request, publisher)), fmt)

    def citation_fields(self, request, publisher: str) -> dict:
        """The one source of every citation of this publication: the ``citation_*``
        tags, the citation shown on the page and the RIS and BibTeX files."""
        pdf_url = ""
        if self.document and self.document.file_extension.lower() == "pdf":
            pdf_url = self.document_absolute_url(request)
        return {
            "title": self.title,
            "authors": self.author_list,
            "corporate_author": publisher,
            "date": self.publication_date,
            "institution": publisher,
            "language": "en",
            "url": absolute_url(request, self.get_url(request=request) or "/"),
            "pdf_url": pdf_url,
            "type": self.publication_type.name if self.publication_type else "Report",
        }

    def document_absolute_url(self, request) -> str:
        return absolute_url(request, self.document.url) if self.document else ""

    def citation_meta(self, request, publisher: str) -> list[tuple[str, str]]:
        """Highwire Press `citation_*` tags, as Google Scholar and Zotero read them."""
        return citations.highwire(self.citation_fields(request, publisher))

    def structured_data(self, request, publisher: str) -> dict:
        """schema.org JSON-LD: a Report (or ScholarlyArticle) published by THET, built by
        ``pages.structured_data.article`` from this publication's values."""
        url = absolute_url(request, self.get_url(request=request) or "/")
        document = None
        if self.document:
            document = {
                "url": self.document_absolute_url(request),
                "content_type": self.document.content_type,
                "filename": self.document.filename,
            }
        return structured_data.article(
            schema_type=self.schema_type,
            title=self.title,
            description=self.get_summary(),
            url=url,
            published=self.publication_date,
            modified=self.date_modified,
            publisher=publisher,
            home_url=absolute_url(request, "/"),
            authors=self.author_list,
            image=share_image_url(self, base=url),
            genre=self.publication_type.name if self.publication_type else "",
            keywords=[topic.name for topic in self.topic_list],
            document=document,
            article_body=self.report_text,
            parts=[
                (section.heading, f"{url}#{section.anchor}") for section in self.report_sections
            ],
        )

    @property
    def date_modified(self):
        """When the page was last published, never before its publication date."""
        published = self.last_published_at
        if published is None or published.date() < self.publication_date:
            return self.publication_date
        return published

    @property
    def author_list(self) -> list[str]:
        return [name.strip() for name in self.authors.split(",") if name.strip()]

    @cached_property
    def topic_list(self) -> list:
        """The publication's topics, read once for everything the page shows them in."""
        return list(self.topics.all())

    @cached_property
    def related_publications(self):
        """Up to three other live publications that share a topic, newest first."""
        return (
            PublicationPage.objects.for_listing()
            .exclude(pk=self.pk)
            .filter(topics__in=[topic.pk for topic in self.topic_list])
            .distinct()[:3]
        )


class PublicationIndexPage(FilterableListingPage, SignOffRequired, BasePage):
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["policy.PublicationPage"]
    max_count = 1
    page_description = "The list of every publication, with filters and a feed."

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
    ]

    listing_class = PublicationListing

    def listed_publications(self):
        """The publications the listing shows: its live, public children, newest first."""
        return PublicationPage.objects.child_of(self).for_listing()

    def filter_options(self) -> dict:
        """The publication types and topics the listing filters by (querysets)."""
        return {"types": PublicationType.objects.all(), "topics": Topic.objects.all()}


class PolicyWorkPage(SignOffRequired, BasePage):
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
        picture_panel("hero_image", "Picture"),
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
        # Callables: the template calls them only if it renders (a kept rendering, see
        # thet_site/fragments.py, costs no queries).
        featured = functools.cache(self.get_featured_publications)

        def latest():
            shown = [publication.pk for publication in featured()]
            return list(PublicationPage.objects.for_listing().exclude(pk__in=shown)[:3])

        context["featured"] = featured
        context["latest"] = functools.cache(latest)
        return context

    def get_featured_publications(self) -> list:
        """The editors' picks in their order, leaving out any not live (e.g. scheduled).

        Works on the saved page and on an unsaved preview (whose picks are in memory).
        """
        ids = list(dict.fromkeys(item.publication_id for item in self.featured_publications.all()))
        pages = PublicationPage.objects.for_listing().in_bulk(ids)
        return [pages[pk] for pk in ids if pk in pages]


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


class DocumentCheck(models.Model):
    """The accessibility check of a PDF in the document library (``policy/pdfcheck.py``).

    Kept beside Wagtail's document, one row each, so the document model stays Wagtail's.
    """

    document = models.OneToOneField(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="accessibility_check",
        help_text="The document checked.",
    )
    file_key = models.CharField(max_length=300, help_text="The file checked (its hash).")
    checked_at = models.DateTimeField(auto_now=True, help_text="When it was last checked.")
    problems = models.JSONField(default=list, blank=True, help_text="Problem codes found.")
    page_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Its number of pages, shown beside the download."
    )
    image_only_pages = models.JSONField(
        default=list, blank=True, help_text="The first pages that are only pictures."
    )
    image_only_count = models.PositiveIntegerField(
        default=0, help_text="How many pages are only pictures."
    )
    reason = models.CharField(max_length=40, blank=True, help_text="Why it was not checked.")
    title = models.CharField(max_length=300, blank=True, help_text="Its document title.")
    language = models.CharField(max_length=35, blank=True, help_text="Its language, e.g. en-GB.")

    class Meta:
        verbose_name = "PDF accessibility check"

    def __str__(self):
        return f"Check of document {self.document_id}"

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def failed(self) -> bool:
        """Whether readers should be offered an accessible format instead."""
        return bool(self.problems)


class DocumentSharing(models.Model):
    """A document an editor has made public on its own, for sharing by its link.

    A one-to-one side table rather than a custom document model: swapping
    ``WAGTAILDOCS_DOCUMENT_MODEL`` on a running site would move every document row and
    every key to them (publications, the reference index, search) in one migration, for
    one flag. A document with no row here is not public on its own. Whether a document
    is served at all is ``policy/holdback.py``.
    """

    document = models.OneToOneField(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="sharing",
        help_text="The document this is about.",
    )
    public_on_its_own = models.BooleanField(
        default=False,
        help_text="Anyone with the link may download the file, even if no live page offers it.",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who last ticked or unticked it.",
    )
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.document}: {'public' if self.public_on_its_own else 'not public'} on its own"


class DocumentLinkRelease(models.Model):
    """A live page that made a document public by linking it while nothing claimed it.

    Written when the page is published (``policy/signals.py``), only for files no
    unlaunched publication claims at that moment; removed when the page is unpublished
    or published without the link. It is what lets a link shared first keep working when
    a publication drafted later picks the same file, while a link made after the claim
    waits for the launch (``policy/holdback.py``).
    """

    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The document the page links to.",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The live page whose link released it.",
    )
    released_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "page"], name="one_release_per_link")
        ]

    def __str__(self):
        return f"{self.document} released by {self.page}"
