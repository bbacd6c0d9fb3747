"""The GET filter form of the project listing.

Every filter is a slug in the query string (``?country=tanzania&theme=mental-health``),
so every state of the listing is a readable, shareable address. Each option shows how
many projects it would give together with the other filters in force (faceted counts),
worked out by the database in one query for all four facets, whatever the number of projects.

Every request costs a bounded amount (#13, #17): the search words are de-duplicated and
capped (``pages.search.query_words``), so a statement's shape cannot grow with the input,
and each facet is counted by one grouped aggregate over the filtered projects (work
proportional to the matching projects, not options × projects).

Bad input never reaches the database as-is and never raises: a value that is not a slug
at all is ignored and reported; a well-formed slug that names nothing simply matches no
projects, and the page says so.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode

from django import forms
from django.core.validators import validate_slug
from django.db import connections
from django.db.models import CharField, Count, F, IntegerField, Q, Value
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from pages.search import clean_query, ignored_words_notice, query_words
from partnerships.models import Country, HealthTheme, PartnerOrganisation, ProgrammePage
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
        words = query_words(clean_query(self.cleaned_data.get("q") or ""))
        # The words searched for; ``ignored_words`` are those left out (the page says so).
        self.query = words.query
        self.ignored_words = list(words.ignored)

    @property
    def ignored_notice(self) -> str:
        return ignored_words_notice(self.ignored_words)

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
        for word in self.query.split():  # at most MAX_QUERY_WORDS
            q &= self._word(word)
        return q

    def _word(self, word: str) -> Q:
        """A word matches a project's title, summary, or one of its partners' names.

        The partners' projects are two uncorrelated subqueries (through tables joined to
        the partners whose name matches), which the database runs once per statement and
        keeps as a hashed set; each project row is then two text matches and two look-ups,
        and the next word is only tried on the rows the previous ones matched."""
        model = self.projects.model
        return (
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(pk__in=self._partnered(model.uk_partners.through, word))
            | Q(pk__in=self._partnered(model.overseas_partners.through, word))
        )

    @staticmethod
    def _partnered(through, word: str):
        return through.objects.filter(partnerorganisation__name__icontains=word).values(
            "projectpage_id"
        )

    def filtered(self):
        """The listing's projects with every valid filter applied."""
        return self.projects.filter(self._conditions())

    # --- faceted counts -----------------------------------------------------------------

    def _within(self, facet: str):
        """The projects an option of ``facet`` counts among: those the other filters give."""
        return self.projects.filter(self._conditions(exclude=facet)).order_by().values("pk")

    @cached_property
    def facets(self) -> dict[str, list[SimpleNamespace]]:
        """The options of the four facets that have projects under the other filters (and
        the selected one, even with none), each with ``n``, its number of projects.

        One query: a UNION ALL of one grouped count per facet, each over the filtered
        projects joined to the facet's relation (no subquery per option), so the work grows
        with the matching projects, whatever the number of options. A partner's count is
        its UK projects plus its overseas projects, less those where it is both.

        The filtered projects are written once per distinct set, as a common table
        expression (``WITH``) that the counts read: one copy of the search words and
        filters when no facet is selected, at most four when all are, instead of one per
        count (the database would plan and run each copy).
        """
        text = CharField()
        blank = Value("", output_field=text)

        def part(options, facet, relation, sign=1, label="name", location=None, iso=None):
            counted = sign != 0
            return (
                options.order_by()
                .values(
                    f_facet=Value(facet, output_field=text),
                    f_slug=F("slug"),
                    f_label=F(label),
                    f_location=F(location) if location else blank,
                    f_iso=F(iso) if iso else blank,
                    f_sign=Value(sign, output_field=IntegerField()),
                )
                .annotate(f_n=Count(relation) if counted else Value(0, output_field=IntegerField()))
            )

        programmes = public(ProgrammePage.objects.live())
        partners = PartnerOrganisation.objects.all()
        connection = connections[self.projects.db]
        quote = connection.ops.quote_name
        sets, ctes, cte_params, within = {}, [], [], {}
        for facet in FACETS:
            sql, params = self._within(facet).query.get_compiler(connection=connection).as_sql()
            name = sets.get((sql, tuple(params)))
            if name is None:
                name = sets[(sql, tuple(params))] = quote(f"listing_{len(sets)}")
                ctes.append(f"{name} ({quote('pk')}) AS ({sql})")
                cte_params.extend(params)
            # Only names made here, no input: the values are the compiled queries' params.
            within[facet] = RawSQL(f"SELECT {quote('pk')} FROM {name}", ())  # noqa: S608, S611
        parts = [
            part(
                Country.objects.filter(projects__in=within["country"]),
                "country",
                "projects",
                iso="iso_code",
            ),
            part(HealthTheme.objects.filter(projects__in=within["theme"]), "theme", "projects"),
            part(
                partners.filter(uk_projects__in=within["partner"]),
                "partner",
                "uk_projects",
                location="location",
            ),
            part(
                partners.filter(overseas_projects__in=within["partner"]),
                "partner",
                "overseas_projects",
                location="location",
            ),
            part(
                partners.filter(
                    uk_projects__in=within["partner"], overseas_projects=F("uk_projects")
                ),
                "partner",
                "uk_projects",
                sign=-1,
                location="location",
            ),
            part(
                programmes.filter(projects__in=within["programme"]),
                "programme",
                "projects",
                label="title",
            ),
        ]
        # A selected option is shown even when nothing matches it (n = 0).
        selected = {
            "country": (Country.objects, {"iso": "iso_code"}),
            "theme": (HealthTheme.objects, {}),
            "partner": (partners, {"location": "location"}),
            "programme": (programmes, {"label": "title"}),
        }
        for facet, (options, extra) in selected.items():
            if self.filters[facet]:
                parts.append(
                    part(options.filter(slug=self.filters[facet]), facet, None, 0, **extra)
                )
        union = parts[0].union(*parts[1:], all=True).order_by("f_facet", "f_label", "f_slug")
        sql, params = union.query.get_compiler(connection=connection).as_sql()
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {', '.join(ctes)} {sql}", (*cte_params, *params))
            columns = [column[0] for column in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        found: dict[str, dict[str, SimpleNamespace]] = {name: {} for name in FACETS}
        for row in rows:
            item = found[row["f_facet"]].setdefault(
                row["f_slug"],
                SimpleNamespace(
                    slug=row["f_slug"],
                    name=row["f_label"],
                    location=row["f_location"],
                    iso_code=row["f_iso"],
                    n=0,
                ),
            )
            item.n += row["f_sign"] * row["f_n"]
        return {name: list(items.values()) for name, items in found.items()}

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
