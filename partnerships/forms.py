"""The GET filter form of the project listing (a ``pages.listings.FilterForm``).

Every filter is a slug in the query string (``?country=tanzania&theme=mental-health``),
so every state of the listing is a readable, shareable address. Each option shows how
many projects it would give together with the other filters in force (faceted counts),
worked out by the database in one query for all four facets, whatever the number of projects.

Every request costs a bounded amount: the search words are de-duplicated and
capped (``pages.search.query_words``), so a statement's shape cannot grow with the input,
and each facet is counted by one grouped aggregate over the filtered projects (work
proportional to the matching projects, not options × projects).

Bad input is handled as on every listing (``pages/listings.py``): a value that is not a
slug at all is ignored and reported; a well-formed slug that names nothing matches no
projects, and the page says so.

The form imports no model: it is given the projects and the options it counts
(``ProjectIndexPage.facet_options``), so the dependency runs one way, models → listings →
forms.
"""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.db import connections
from django.db.models import CharField, Count, F, IntegerField, Q, Value
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from pages.listings import FilterForm, SlugFilterField
from thet_site.privacy import public

FACETS = ("country", "theme", "partner", "programme")


class ProjectFilterForm(FilterForm):
    q = forms.CharField(
        label="Search projects",
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text="Words from a project's title, summary or partners.",
    )
    country = SlugFilterField(label="Country", required=False)
    theme = SlugFilterField(label="Health theme", required=False)
    partner = SlugFilterField(label="Partner organisation", required=False)
    programme = SlugFilterField(label="Programme", required=False)

    unmatched_messages = {
        "country": "We have no country “{value}”.",
        "theme": "We have no health theme “{value}”.",
        "partner": "We have no partner organisation “{value}”.",
        "programme": "We have no programme “{value}”.",
    }

    def __init__(self, data, *, projects, options, **kwargs):
        """``projects``: the live, public projects of the listing (a ``ProjectQuerySet``);
        ``options``: a queryset per facet of what it may offer (countries, health themes,
        partner organisations, live programmes), read only when the counts are needed."""
        super().__init__(data, **kwargs)
        self.projects = projects
        self.options = options

    def __iter__(self):
        # The options and their counts are worked out only when the form is rendered.
        for facet in FACETS:
            self.fields[facet].choices = self._choices(facet)
        return super().__iter__()

    def names_nothing(self, name: str, value) -> bool:
        return self.selected(name) is None

    # --- filtering ----------------------------------------------------------------------

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

    def apply(self, projects):
        """``projects`` with every valid filter and the search words applied."""
        return projects.filter(self._conditions())

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

        countries, themes = self.options["country"], self.options["theme"]
        partners = self.options["partner"]
        programmes = public(self.options["programme"])
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
                countries.filter(projects__in=within["country"]),
                "country",
                "projects",
                iso="iso_code",
            ),
            part(themes.filter(projects__in=within["theme"]), "theme", "projects"),
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
            "country": (countries, {"iso": "iso_code"}),
            "theme": (themes, {}),
            "partner": (partners, {"location": "location"}),
            "programme": (programmes, {"label": "title"}),
        }
        for facet, (options, extra) in selected.items():
            if self.filters.get(facet):
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
        selected = self.filters.get(name, "")
        options = [
            (item, (item.slug, f"{item.name} ({item.n})"))
            for item in self.facets[name]
            if item.n or item.slug == selected
        ]
        if name != "partner":
            return [("", empty)] + [option for _, option in options]
        # Partners are grouped: UK partners, then overseas partners.
        partner = self.options["partner"].model
        groups = [
            (label, [option for item, option in options if item.location == location])
            for location, label in (
                (partner.UK, "UK partners"),
                (partner.OVERSEAS, "Overseas partners"),
            )
        ]
        return [("", empty)] + [(label, group) for label, group in groups if group]

    def selected(self, name: str):
        """The snippet or page chosen for facet ``name``, or None."""
        value = self.filters.get(name)
        return next((i for i in self.facets[name] if i.slug == value), None)

    def country_counts(self) -> list:
        """Countries with projects under the other filters, for the map and its list."""
        return [country for country in self.facets["country"] if country.n]
