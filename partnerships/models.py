"""Programmes, projects and the taxonomy they are filed under.

The project listing (its view-model, facet counts, cards' facts and open data) is in
``partnerships/listings.py``, its filter form in ``forms.py``, the map in ``worldmap.py``:
this module imports them and they import no model (``ProjectIndexPage`` hands the listing
its projects and filter options), so the dependency runs one way.
"""

import functools
from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils.functional import cached_property
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, re_path
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.search import index
from wagtailautocomplete.edit_handlers import AutocompletePanel

from pages.blocks import StatisticBlock
from pages.listings import DropsEmptyParameters
from pages.models import PAGE_SEARCH_FIELDS, SUMMARY_BOOST, BasePage, body_field
from pages.pictures import picture_panel, with_pictures
from pages.taxonomy import TaxonomyBase
from partnerships import worldmap
from partnerships.listings import FILTER_PARAMS, ProjectListing, attach_facts
from partnerships.listings import respond as respond_with_data
from thet_site.fragments import vary_on_params
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
            raise ValidationError(
                {
                    "name": [
                        f"“{str(value)[:60]}” is not a country the map knows: check the spelling."
                    ]
                }
            )
        existing = cls.objects.filter(iso_code=code).first()
        return existing or cls.create_by_name(known[code], iso_code=code)


class HealthTheme(TaxonomyBase):
    description = models.TextField(blank=True, help_text="Optional: what the theme covers.")

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

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

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("location"), FieldPanel("country")]),
        FieldPanel("website"),
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
            # One grouped count over the programme's projects (#17), not one per country.
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


class ProjectIndexPage(DropsEmptyParameters, RoutablePageMixin, BasePage):
    parent_page_types = ["pages.OurWorkPage"]
    subpage_types = ["partnerships.ProjectPage"]
    max_count = 1
    page_description = "The list of every partnership project, with filters."

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
    ]

    @re_path(r"^data\.(?P<fmt>csv|json)/$", name="data")
    def data(self, request, fmt):
        """The listing's open data (#16): ``data.csv`` and ``data.json`` under the page,
        with the listing's filters (thet_site/urls.py routes the file names here)."""
        return respond_with_data(self, request, fmt)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: nothing is queried until the template asks (partnerships/listings.py).
        context["listing"] = ProjectListing(self, request)
        context["fragment_vary"] = vary_on_params(request, FILTER_PARAMS)
        return context

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

    objects = PageManager.from_queryset(ProjectQuerySet)()

    parent_page_types = ["partnerships.ProjectIndexPage"]
    subpage_types = []
    page_description = "One health partnership project."

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
        FieldRowPanel([FieldPanel("start_year"), FieldPanel("end_year")], heading="Years"),
        FieldPanel("body"),
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
