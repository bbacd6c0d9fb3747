"""The GET filter form of the project listing.

Every filter is a slug in the query string (``?country=tanzania&theme=mental-health``),
so every state of the listing is a readable, shareable address. Each option shows how
many projects it would give together with the other filters in force (faceted counts),
worked out by the database in one query for all four facets, whatever the number of projects.

Bad input never reaches the database as-is and never raises: a value that is not a slug
at all is ignored and reported; a well-formed slug that names nothing simply matches no
projects, and the page says so.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode

from django import forms
from django.core.validators import validate_slug
from django.db.models import CharField, F, OuterRef, Q, Value
from django.utils.functional import cached_property

from pages.search import clean_query
from partnerships.models import (
    Country,
    HealthTheme,
    PartnerOrganisation,
    ProgrammePage,
    SubqueryCount,
)
from thet_site.privacy import public

FACETS = ("country", "theme", "partner", "programme")
# Every query-string parameter the listing reads: what its kept rendering varies on.
FILTER_PARAMS = ("q", *FACETS, "page")
MAX_SLUG_LENGTH = 255  # the longest slug a snippet or page can have


class FacetField(forms.ChoiceField):
    """A select of slugs. Any well-formed slug is accepted, so an unknown one can give an
    empty list with a message rather than an error; anything else is rejected."""

    default_error_messages = {
        "invalid_choice": "“%(value)s” is not a valid value for this filter, so we ignored it."
    }

    def validate(self, value):
        forms.Field.validate(self, value)
        if value:
            try:
                if len(value) > MAX_SLUG_LENGTH:
                    raise forms.ValidationError("too long")
                validate_slug(value)
            except forms.ValidationError:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": value[:60]},
                ) from None


class ProjectFilterForm(forms.Form):
    q = forms.CharField(
        label="Search projects",
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text="Words from a project's title, summary or partners.",
    )
    country = FacetField(label="Country", required=False)
    theme = FacetField(label="Health theme", required=False)
    partner = FacetField(label="Partner organisation", required=False)
    programme = FacetField(label="Programme", required=False)

    def __init__(self, data, *, projects, **kwargs):
        """``projects``: the live, public projects of the listing (a ``ProjectQuerySet``)."""
        super().__init__(data, **kwargs)
        self.projects = projects
        self.is_valid()
        self.filters = {name: self.cleaned_data.get(name) or "" for name in FACETS}
        self.query = clean_query(self.cleaned_data.get("q") or "")

    def __iter__(self):
        # The options and their counts are worked out only when the form is rendered.
        for facet in FACETS:
            self.fields[facet].choices = self._choices(facet)
        return super().__iter__()

    # --- filtering ----------------------------------------------------------------------

    @property
    def is_filtered(self) -> bool:
        return bool(self.query or any(self.filters.values()))

    def _conditions(self, exclude: str | None = None) -> Q:
        q = Q()
        value = {k: v for k, v in self.filters.items() if v and k != exclude}
        if "country" in value:
            q &= Q(countries__slug=value["country"])
        if "theme" in value:
            q &= Q(themes__slug=value["theme"])
        if "programme" in value:
            q &= Q(programme__slug=value["programme"])
        if "partner" in value:
            partnered = self.projects.model.objects.filter(
                Q(uk_partners__slug=value["partner"]) | Q(overseas_partners__slug=value["partner"])
            )
            q &= Q(pk__in=partnered.values("pk"))
        for word in self.query.split():
            q &= self._word(word)
        return q

    def _word(self, word: str) -> Q:
        """A word matches a project's title, summary, or one of its partners' names."""
        partnered = self.projects.model.objects.filter(
            Q(uk_partners__name__icontains=word) | Q(overseas_partners__name__icontains=word)
        )
        return (
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(pk__in=partnered.values("pk"))
        )

    def filtered(self):
        """The listing's projects with every valid filter applied."""
        return self.projects.filter(self._conditions())

    # --- faceted counts -----------------------------------------------------------------

    def _matching(self, facet: str, relation: Q):
        """The projects an option of ``facet`` would give with the other filters kept:
        a subquery correlated on the option's pk through ``relation``."""
        return (
            self.projects.filter(self._conditions(exclude=facet))
            .filter(relation)
            .order_by()
            .values("pk")
            .distinct()
        )

    @cached_property
    def facets(self) -> dict[str, list[SimpleNamespace]]:
        """Every option of the four facets with ``n``, its number of projects under the
        other filters: one query (a UNION ALL of four counted lists), whatever the number
        of projects or options."""
        text = CharField()

        def part(options, facet, relation, label="name", location=None, iso_code=None):
            return (
                options.order_by()
                .annotate(
                    f_facet=Value(facet, output_field=text),
                    f_slug=F("slug"),
                    f_label=F(label),
                    f_location=F(location) if location else Value("", output_field=text),
                    f_iso=F(iso_code) if iso_code else Value("", output_field=text),
                    f_n=SubqueryCount(self._matching(facet, relation)),
                )
                .values("f_facet", "f_slug", "f_label", "f_location", "f_iso", "f_n")
            )

        # A partner counts projects where it is a UK or an overseas partner.
        partnered = Q(uk_partners=OuterRef("pk")) | Q(overseas_partners=OuterRef("pk"))
        parts = [
            part(
                Country.objects.all(), "country", Q(countries=OuterRef("pk")), iso_code="iso_code"
            ),
            part(HealthTheme.objects.all(), "theme", Q(themes=OuterRef("pk"))),
            part(PartnerOrganisation.objects.all(), "partner", partnered, location="location"),
            part(
                public(ProgrammePage.objects.live()),
                "programme",
                Q(programme=OuterRef("pk")),
                label="title",
            ),
        ]
        rows = parts[0].union(*parts[1:], all=True).order_by("f_facet", "f_label")
        facets = {name: [] for name in FACETS}
        for row in rows:
            facets[row["f_facet"]].append(
                SimpleNamespace(
                    slug=row["f_slug"],
                    name=row["f_label"],
                    location=row["f_location"],
                    iso_code=row["f_iso"],
                    n=row["f_n"],
                )
            )
        return facets

    def _choices(self, name: str) -> list[tuple[str, str]]:
        empty = {
            "country": "All countries",
            "theme": "All health themes",
            "partner": "All partners",
            "programme": "All programmes",
        }[name]
        selected = self.filters[name]
        options = [
            (item, (item.slug, f"{item.name} ({item.n})"))
            for item in self.facets[name]
            if item.n or item.slug == selected
        ]
        if name != "partner":
            return [("", empty)] + [option for _, option in options]
        # Partners are grouped: UK partners, then overseas partners.
        groups = [
            (label, [option for item, option in options if item.location == location])
            for location, label in (
                (PartnerOrganisation.UK, "UK partners"),
                (PartnerOrganisation.OVERSEAS, "Overseas partners"),
            )
        ]
        return [("", empty)] + [(label, group) for label, group in groups if group]

    def selected(self, name: str):
        """The snippet or page chosen for facet ``name``, or None."""
        return next((i for i in self.facets[name] if i.slug == self.filters[name]), None)

    def country_counts(self) -> list:
        """Countries with projects under the other filters, for the map and its list."""
        return [country for country in self.facets["country"] if country.n]

    # --- links ----------------------------------------------------------------------------

    def querystring(self, **changes) -> str:
        """The current valid filters as a query string, with ``changes`` applied."""
        params = {"q": self.query, **self.filters, **changes}
        return urlencode([(k, v) for k, v in params.items() if v])
