"""Programmes, projects and the taxonomy they are filed under.

The project listing (its view-model, facet counts, cards' facts and open data) is in
``partnerships/listings.py``, its filter form in ``forms.py``, the map in ``worldmap.py``:
this module imports them and they import no model (``ProjectIndexPage`` hands the listing
its projects and filter options), so the dependency runs one way.
"""

import difflib
import functools
import uuid
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.search import index
from wagtailautocomplete.edit_handlers import AutocompletePanel

from pages.blocks import StatisticBlock
from pages.listings import FilterableListingPage
from pages.models import PAGE_SEARCH_FIELDS, SUMMARY_BOOST, BasePage, body_field
from pages.pictures import picture_panel, with_pictures
from pages.taxonomy import TaxonomyBase
from partnerships import iati_codes, worldmap
from partnerships.iati_panels import IatiReadinessPanel
from partnerships.iati_settings import MONTHS, IatiSettings, sector_field
from partnerships.listings import (
    ProjectListing,
    attach_facts,
)
from thet_site.privacy import PublicQuerySet


def country_choices():
    return [("", "Choose a country")] + list(worldmap.country_choices())


class Country(TaxonomyBase):
    iso_code = models.CharField(
        "country",
        max_length=2,
        unique=True,
        help_text="Pick the country; this places it on the map.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("iso_code", widget=forms.Select(choices=country_choices)),
    ]

    class Meta(TaxonomyBase.Meta):
        verbose_name_plural = "countries"

    @classmethod
    def autocomplete_create(cls, value: str):
        """A country typed in a project's picker: only one the world map knows, so it
        gets its ISO code (and its place on the map) from its name."""
        wanted = " ".join(str(value).split()).casefold()
        known = dict(country_choices()[1:])
        code = next((c for c, name in known.items() if name.casefold() == wanted), None)
        if code is None:
            existing = cls.objects.filter(name__iexact=wanted).first()
            if existing is not None:
                return existing
            close = difflib.get_close_matches(
                wanted, [name.casefold() for name in known.values()], n=3, cutoff=0.6
            )
            names = {name.casefold(): name for name in known.values()}
            hint = f" Did you mean {' or '.join(names[c] for c in close)}?" if close else ""
            raise ValidationError(
                {
                    "name": [
                        f"“{str(value)[:60]}” is not a country the map knows: check the "
                        f"spelling.{hint}"
                    ]
                }
            )
        existing = cls.objects.filter(iso_code=code).first()
        return existing or cls.create_by_name(known[code], iso_code=code)


class HealthTheme(TaxonomyBase):
    description = models.TextField(blank=True, help_text="Optional: what the theme covers.")
    dac_sector = sector_field(
        "The OECD DAC sector its projects are reported under in the IATI data, e.g. "
        "12340 Promotion of mental health and well-being."
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("dac_sector"),
    ]

    @classmethod
    def autocomplete_create(cls, value: str):
        return cls.create_by_name(value)


class PartnerOrganisation(TaxonomyBase):
    UK = "uk"
    OVERSEAS = "overseas"
    LOCATION_CHOICES = [(UK, "UK"), (OVERSEAS, "Overseas")]

    location = models.CharField(
        max_length=10,
        choices=LOCATION_CHOICES,
        default=UK,
        help_text="Whether the organisation is a UK partner or an overseas partner.",
    )
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partners",
        help_text="Where the organisation is based (leave blank for the UK).",
    )
    website = models.URLField(blank=True, help_text="The organisation's own site, if any.")
    iati_ref = models.CharField(
        "organisation identifier",
        max_length=100,
        blank=True,
        validators=[iati_codes.validate_org_id],
        help_text="Optional: its IATI organisation identifier, e.g. GB-NHS-RX1 (NHS trust), "
        "GB-CHC-1234567 (charity), GB-EDU-133793 (university), XI-ROR-01ee9ar58 "
        "(research organisation). Look it up on org-id.guide; leave blank if unsure.",
    )
    iati_type = models.CharField(
        "organisation type",
        max_length=2,
        blank=True,
        choices=iati_codes.ORGANISATION_TYPES,
        help_text="Optional: the IATI organisation type, e.g. Other public sector for an "
        "NHS trust, Academic for a university.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("location"), FieldPanel("country")]),
        FieldPanel("website"),
        FieldRowPanel([FieldPanel("iati_ref"), FieldPanel("iati_type")], heading="IATI"),
    ]
    search_fields = TaxonomyBase.search_fields + [index.FilterField("location")]

    class Meta(TaxonomyBase.Meta):
        verbose_name = "partner organisation"


class UKPartner(PartnerOrganisation):
    """UK partner organisations only: what a project's "UK partners" picker offers, and
    what it creates when an editor types a name that is not there yet."""

    LOCATION = PartnerOrganisation.UK

    class Meta:
        proxy = True
        verbose_name = "UK partner"

    @classmethod
    def autocomplete_custom_queryset_filter(cls, search_term: str, request=None):
        return cls.objects.filter(location=cls.LOCATION, name__icontains=search_term[:160])

    @classmethod
    def autocomplete_create(cls, value: str):
        return cls.create_by_name(value, location=cls.LOCATION)


class OverseasPartner(UKPartner):
    """Overseas partner organisations only (see ``UKPartner``)."""

    LOCATION = PartnerOrganisation.OVERSEAS

    class Meta:
        proxy = True
        verbose_name = "overseas partner"


class ProgrammePage(BasePage):
    statistics = StreamField(
        [("statistic", StatisticBlock())],
        blank=True,
        help_text="The programme's headline figures.",
    )
    body = body_field()
    start_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year the programme began, e.g. 2010."
    )
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year it ended; blank if it is still running."
    )
    funder = models.CharField(
        max_length=160, blank=True, help_text="Who funds the programme, e.g. UK aid (DFID)."
    )
    funder_ref = models.CharField(
        "funder's organisation identifier",
        max_length=100,
        blank=True,
        validators=[iati_codes.validate_org_id],
        help_text="The funder's IATI identifier: GB-GOV-1 for the FCDO (formerly DFID), "
        "GB-GOV-10 for the DHSC.",
    )
    funder_type = models.CharField(
        "funder's organisation type",
        max_length=2,
        blank=True,
        default="10",
        choices=iati_codes.ORGANISATION_TYPES,
        help_text="Government for a UK government department.",
    )
    thet_role = models.CharField(
        "THET's role",
        max_length=1,
        blank=True,
        default=iati_codes.ROLE_IMPLEMENTING,
        choices=iati_codes.ORGANISATION_ROLES[1:],
        help_text="What THET does in the programme, as its projects' IATI data says "
        "(blank: implementing).",
    )
    iati_parent_activity = models.CharField(
        "funder's IATI activity",
        max_length=150,
        blank=True,
        validators=[iati_codes.validate_activity_id],
        help_text="Optional: the identifier of the funder's own IATI activity for this "
        "programme (e.g. GB-GOV-1-300123 on DevTracker), so tools can link each project "
        "to it.",
    )
    default_sector = sector_field(
        "The DAC sector of a project whose health themes give none, e.g. 12281 Health "
        "personnel development."
    )

    parent_page_types = ["pages.OurWorkPage"]
    subpage_types = []
    page_description = "A programme of THET's, such as the Health Partnership Scheme."

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_year"), FieldPanel("end_year")]),
                FieldPanel("funder"),
            ],
            heading="Programme facts",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("funder_ref"), FieldPanel("funder_type")]),
                FieldPanel("thet_role"),
                FieldPanel("iati_parent_activity"),
                FieldPanel("default_sector"),
            ],
            heading="IATI data",
            classname="collapsed",
        ),
        FieldPanel("statistics"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("body")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Callables: the template runs them only if it renders, so a kept rendering
        # (thet_site/fragments.py) costs no queries.
        projects = functools.cache(lambda: ProjectPage.objects.for_listing().filter(programme=self))
        project_index = functools.cache(lambda: ProjectIndexPage.objects.live().first())

        def world_map():
            index = project_index()
            if index is None:
                return None
            listing = f"{index.get_url(request)}?programme={self.slug}"
            # One grouped count over the programme's projects, not one per country.
            in_programme = projects().order_by().values("pk")
            countries = (
                Country.objects.filter(projects__in=in_programme)
                .annotate(n=Count("projects"))
                .order_by("name")
            )
            return worldmap.map_context(
                countries, lambda country: f"{listing}&country={country.slug}"
            )

        context["projects"] = functools.cache(lambda: attach_facts(projects()[:12]))
        context["project_count"] = lambda: projects().count()
        context["project_index"] = project_index
        context["world_map"] = world_map
        return context


class ProjectQuerySet(PublicQuerySet):
    def for_listing(self):
        return with_pictures(
            self.live().public().select_related("programme").order_by("title"), "hero_image"
        )


class ProjectIndexPage(FilterableListingPage, BasePage):
    parent_page_types = ["pages.OurWorkPage"]
    subpage_types = ["partnerships.ProjectPage"]
    max_count = 1
    page_description = "The list of every partnership project, with filters."

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
    ]

    listing_class = ProjectListing
    # The listing's open data: the formats of thet_site/opendata.py and the IATI file.
    data_formats = ("csv", "json", "xml")

    def iati_settings(self):
        return IatiSettings.current()

    def listed_projects(self):
        """The projects the listing shows: its live, public children, in title order."""
        return ProjectPage.objects.child_of(self).for_listing()

    def facet_options(self) -> dict:
        """What each of the listing's filters may offer (querysets, read when counted)."""
        return {
            "country": Country.objects.all(),
            "theme": HealthTheme.objects.all(),
            "partner": PartnerOrganisation.objects.all(),
            "programme": ProgrammePage.objects.live(),
        }


class ProjectPage(BasePage):
    introduction = None
    summary = models.TextField(
        help_text="What the project does, in two or three sentences, for listings."
    )
    body = body_field()
    programme = models.ForeignKey(
        ProgrammePage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        help_text="The programme that funded or ran this project.",
    )
    countries = ParentalManyToManyField(
        Country, blank=True, related_name="projects", help_text="Where the project works."
    )
    themes = ParentalManyToManyField(
        HealthTheme,
        blank=True,
        related_name="projects",
        verbose_name="health themes",
        help_text="The health areas it covers.",
    )
    uk_partners = ParentalManyToManyField(
        PartnerOrganisation,
        blank=True,
        related_name="uk_projects",
        limit_choices_to={"location": PartnerOrganisation.UK},
        verbose_name="UK partners",
        help_text="NHS trusts, universities or colleges in the UK.",
    )
    overseas_partners = ParentalManyToManyField(
        PartnerOrganisation,
        blank=True,
        related_name="overseas_projects",
        limit_choices_to={"location": PartnerOrganisation.OVERSEAS},
        help_text="The partner institutions overseas.",
    )
    start_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year the project began."
    )
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year it ended; blank if still running."
    )
    start_month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=MONTHS,
        help_text="Optional: the month it began (with the start year).",
    )
    end_month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=MONTHS,
        help_text="Optional: the month it ended or is planned to end (with the end year).",
    )
    budget = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10**11)],
        help_text="Optional: the project's whole budget, in the IATI data's currency "
        "(pounds unless changed in Settings → IATI data). Published only with a start and "
        "an end year, spread evenly over each year of the project.",
    )
    iati_identifier = models.CharField(
        "IATI identifier",
        max_length=150,
        blank=True,
        validators=[iati_codes.validate_activity_id],
        help_text="Set when the project is first published (THET's identifier and the "
        "project's number) and never changed after, whatever happens to its title or "
        "address.",
    )

    objects = PageManager.from_queryset(ProjectQuerySet)()

    parent_page_types = ["partnerships.ProjectIndexPage"]
    subpage_types = []
    page_description = "One health partnership project."
    # A copy is another activity: it gets its own identifier when first published.
    exclude_fields_in_copy = ["iati_identifier"]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        picture_panel("hero_image", "Picture"),
        FieldPanel("programme"),
        # Type part of a name to pick; a name that is not there yet can be added in place.
        MultiFieldPanel(
            [AutocompletePanel("countries"), AutocompletePanel("themes")],
            heading="Where and what",
        ),
        MultiFieldPanel(
            [
                AutocompletePanel("uk_partners", target_model="partnerships.UKPartner"),
                AutocompletePanel("overseas_partners", target_model="partnerships.OverseasPartner"),
            ],
            heading="Partners",
        ),
        FieldRowPanel(
            [
                FieldPanel("start_year"),
                FieldPanel("start_month"),
                FieldPanel("end_year"),
                FieldPanel("end_month"),
            ],
            heading="Dates",
        ),
        FieldPanel("budget"),
        FieldPanel("body"),
        IatiReadinessPanel(settings=IatiSettings.current),
    ]
    settings_panels = BasePage.settings_panels + [
        FieldPanel("iati_identifier", read_only=True),
    ]
    search_fields = PAGE_SEARCH_FIELDS + [
        index.SearchField("summary", boost=SUMMARY_BOOST),
        index.SearchField("body"),
        index.RelatedFields("countries", [index.SearchField("name", boost=SUMMARY_BOOST)]),
        index.RelatedFields("themes", [index.SearchField("name", boost=SUMMARY_BOOST)]),
        index.RelatedFields("uk_partners", [index.SearchField("name", boost=SUMMARY_BOOST)]),
        index.RelatedFields("overseas_partners", [index.SearchField("name", boost=SUMMARY_BOOST)]),
        index.FilterField("programme"),
    ]

    def get_summary(self) -> str:
        return self.search_description or self.summary

    def clean(self):
        super().clean()
        errors = {}
        if self.start_month and not self.start_year:
            errors["start_year"] = "Give the year the project began, with its month."
        if self.end_month and not self.end_year:
            errors["end_year"] = "Give the year the project ended, with its month."
        if self.start_year and self.end_year:
            start = (self.start_year, self.start_month or 1)
            end = (self.end_year, self.end_month or 12)
            if end < start:
                errors["end_year"] = "The project cannot end before it begins."
        if errors:
            raise ValidationError(errors)

    def with_content_json(self, content):
        # Revisions saved before the first publication have no identifier: the one
        # stored on the page is kept whatever a revision says (it must never change).
        obj = super().with_content_json(content)
        obj.iati_identifier = self.iati_identifier or obj.iati_identifier
        return obj

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.live and not self.iati_identifier and self.pk:
            # Fixed at the first publication, from the reporting organisation's identifier
            # as it is then and the page's number (which no edit or move changes).
            self.iati_identifier = IatiSettings.current().activity_identifier(self.pk)
            ProjectPage.objects.filter(pk=self.pk).update(iati_identifier=self.iati_identifier)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)

        # Callables: run only if the template renders (thet_site/fragments.py). The page's
        # own facts and its related projects' come from one query.
        @functools.cache
        def related_projects():
            related = list(self.related_projects)
            attach_facts([self, *related])
            return related

        context["related_projects"] = related_projects
        context["facts"] = lambda: (related_projects(), self.facts)[1]
        return context

    @property
    def facts(self) -> SimpleNamespace:
        """Countries, health themes, UK and overseas partners, for cards and the facts
        box (see ``attach_facts``, which listings call for a whole page of projects)."""
        if "_facts" not in self.__dict__:
            attach_facts([self])
        return self.__dict__["_facts"]

    @property
    def years(self) -> str:
        if self.start_year and self.end_year and self.start_year != self.end_year:
            return f"{self.start_year}–{self.end_year}"
        if self.start_year:
            return f"{self.start_year}" if self.end_year else f"{self.start_year} onwards"
        return ""

    @cached_property
    def related_projects(self):
        """Up to three other live projects that share a country or a health theme."""
        return (
            ProjectPage.objects.for_listing()
            .exclude(pk=self.pk)
            .filter(
                models.Q(countries__in=self.countries.all())
                | models.Q(themes__in=self.themes.all())
            )
            .distinct()[:3]
        )


class ProjectImport(models.Model):
    """A file of projects imported outside the web request (``partnerships/import_jobs.py``):
    the file, who sent it, where it has got to and, once finished, its report. The admin's
    import page lists these, and each has a page that shows its progress, then its result."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [
        (QUEUED, "Waiting to start"),
        (RUNNING, "Running"),
        (DONE, "Finished"),
        (FAILED, "Stopped"),
    ]
    # Saving one changes nothing a visitor sees (thet_site/pagecache.py).
    shown_on_pages = False

    # Written by the import, never in a form.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    file_name = models.CharField(max_length=255, editable=False)
    data = models.BinaryField()  # (not editable, as every BinaryField)
    dry_run = models.BooleanField(default=False, editable=False)
    lines = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, editable=False)
    finished_at = models.DateTimeField(null=True, editable=False)
    report = models.JSONField(null=True, editable=False)
    error = models.TextField(editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "project import"

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display().lower()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED)
