"""The GET filter form of the project listing.

Every filter is a slug in the query string (``?country=tanzania&theme=mental-health``),
so every state of the listing is a readable, shareable address. Each option shows how
many projects it would give together with the other filters in force (faceted counts),
worked out by the database in one query per facet, whatever the number of projects.

Bad input never reaches the database as-is and never raises: a value that is not a slug
at all is ignored and reported; a well-formed slug that names nothing simply matches no
projects, and the page says so.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.validators import validate_slug
from django.db.models import OuterRef, Q
from django.utils.functional import cached_property

from pages.views import clean_query
from partnerships.models import (
    Country,
    HealthTheme,
    PartnerOrganisation,
    ProgrammePage,
    SubqueryCount,
)

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

    def _counted(self, model, facet: str, relation: str):
        """``model`` rows annotated with ``n``: projects each would give with the other
        filters kept."""
        matching = (
            self.projects.filter(self._conditions(exclude=facet))
            .filter(**{relation: OuterRef("pk")})
            .order_by()
            .values("pk")
            .distinct()
        )
        return model.objects.annotate(n=SubqueryCount(matching))

    @cached_property
    def facets(self) -> dict[str, list]:
        # A partner counts projects where it is a UK or an overseas partner.
        partner_matching = (
            self.projects.filter(self._conditions(exclude="partner"))
            .filter(Q(uk_partners=OuterRef("pk")) | Q(overseas_partners=OuterRef("pk")))
            .order_by()
            .values("pk")
            .distinct()
        )
        partners = PartnerOrganisation.objects.annotate(n=SubqueryCount(partner_matching))
        return {
            "country": list(self._counted(Country, "country", "countries").order_by("name")),
            "theme": list(self._counted(HealthTheme, "theme", "themes").order_by("name")),
            "partner": list(partners.order_by("name")),
            "programme": list(
                self._counted(ProgrammePage, "programme", "programme")
                .live()
                .public()
                .order_by("title")
            ),
        }

    def _choices(self, name: str) -> list[tuple[str, str]]:
        empty = {
            "country": "All countries",
            "theme": "All health themes",
            "partner": "All partners",
            "programme": "All programmes",
        }[name]
        selected = self.filters[name]
        options = [
            (item, (item.slug, f"{getattr(item, 'name', None) or item.title} ({item.n})"))
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
