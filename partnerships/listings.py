"""The project listing (``/our-work/projects/``): its view-model, the projects' facts for
cards, and its open data twin.

``ProjectListing`` is the listing pattern of ``pages/listings.py``: the filter form
(``partnerships/forms.py``, with the facet counts), the page of projects and the world
map, each worked out only when the template shows it, so a kept rendering
(``{% cache %}``) runs none of their queries.

The search box, the one place it differs from site search and the publication listing
(Wagtail's search backend): its words are matched with ``icontains`` on the title, the
summary and the partners' names, as plain SQL conditions of the projects' queryset. That
queryset is written once into the single statement that counts all four facets
(``ProjectFilterForm.facets``, a ``WITH`` of the filtered projects); the backend gives a
ranked result, built differently per database (a tsvector join on PostgreSQL, an FTS5
table behind ``pages/search_backend.py`` on SQLite), not a condition to compose into that
statement. A part of a name ("Notting") also matches, as visitors type partners' and
places' names. The words are the same bounded ones (``pages.search.query_words``, at most
six), so the statements stay bounded in number and size, and flat at 10x the projects
(tests/test_bounded_cost.py).

The open data (``/our-work/projects/data.csv`` and ``data.json``, #16): the same projects
as the listing for the same filters (live, public, in order), every one of them rather than
a page. The format is written by ``thet_site/opendata.py``; README.md ("Open data")
documents the columns and fields. A fixed number of queries whatever the number of rows:
the filtered projects (with their programme), their countries, themes and partners
(``attach_facts``), the countries' ISO codes and the site's organisation name.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from pages.listings import Listing
from pages.models import SiteFooter
from partnerships.forms import ProjectFilterForm
from partnerships.worldmap import map_context
from thet_site import opendata
from thet_site.siteurl import absolute_url

PROJECTS_PER_PAGE = 20
FILTER_PARAMS = ProjectFilterForm.params()
# What the page cache keys the listing and its open data on (thet_site/pagecache.py).
PAGE_QUERY = ProjectFilterForm.query_params()
DATA_QUERY = ProjectFilterForm.data_query_params()
FACT_RELATIONS = ("countries", "themes", "uk_partners", "overseas_partners")


class ProjectListing(Listing):
    """The filter form, page of projects and map of a ``ProjectIndexPage`` (``index``),
    which gives its projects (``listed_projects``) and facet options (``facet_options``)."""

    per_page = PROJECTS_PER_PAGE

    @cached_property
    def items(self):
        return self.index.listed_projects()

    @cached_property
    def form(self):
        return ProjectFilterForm(
            self.request.GET, projects=self.items, options=self.index.facet_options()
        )

    @cached_property
    def projects(self):
        page = self.page
        page.object_list = attach_facts(page.object_list)
        return page

    @cached_property
    def world_map(self) -> dict:
        form = self.form
        return map_context(
            form.country_counts(),
            lambda country: f"?{form.querystring(country=country.slug)}",
        )


def attach_facts(projects) -> list:
    """Give each project ``facts``: its countries, health themes, UK partners and overseas
    partners, each a list of objects with ``name`` (partners also ``website`` and
    ``country``), in name order. One query for any number of projects (a UNION ALL over
    the four relations) where prefetching would take four."""
    projects = list(projects)
    if not projects:
        return projects
    model = projects[0]._meta.model
    ids = [project.pk for project in projects]
    text = CharField()
    blank = Value("", output_field=text)

    def part(relation, target):
        through = getattr(model, relation).through
        partner = target == "partnerorganisation"
        return (
            through.objects.filter(projectpage__in=ids)
            .order_by()
            .annotate(
                f_project=F("projectpage"),
                f_relation=Value(relation, output_field=text),
                f_name=F(f"{target}__name"),
                f_website=F(f"{target}__website") if partner else blank,
                f_country=Coalesce(F(f"{target}__country__name"), blank) if partner else blank,
            )
            .values("f_project", "f_relation", "f_name", "f_website", "f_country")
        )

    parts = [
        part("countries", "country"),
        part("themes", "healththeme"),
        part("uk_partners", "partnerorganisation"),
        part("overseas_partners", "partnerorganisation"),
    ]
    facts = {pk: {relation: [] for relation in FACT_RELATIONS} for pk in ids}
    for row in parts[0].union(*parts[1:], all=True).order_by("f_relation", "f_name"):
        country = row["f_country"]
        facts[row["f_project"]][row["f_relation"]].append(
            SimpleNamespace(
                name=row["f_name"],
                website=row["f_website"],
                country=SimpleNamespace(name=country) if country else None,
            )
        )
    for project in projects:
        project.__dict__["_facts"] = SimpleNamespace(**facts[project.pk])
    return projects


# --- open data --------------------------------------------------------------------------

CSV_HEADER = [
    "Title",
    "URL",
    "Summary",
    "Country codes (ISO 3166)",
    "Countries",
    "Health themes",
    "UK partners",
    "Overseas partners",
    "Programme",
    "Start year",
    "End year",
    "Last updated",
]
# The parameters the data varies on: the listing's, without its page number.
DATA_PARAMS = ProjectFilterForm.data_params()


def project_data(index, request) -> dict:
    """The projects the listing shows for ``request``'s filters, as JSON items and CSV
    rows (see ``opendata.respond``)."""
    listing = ProjectListing(index, request)
    projects, total = opendata.bounded(listing.filtered)
    attach_facts(projects)
    countries = listing.form.options["country"]
    codes = dict(countries.values_list("name", "iso_code")) if projects else {}

    def country(name):
        return {"code": codes.get(name, "").upper(), "name": name} if name else None

    def partner(fact):
        return {"name": fact.name, "country": country(fact.country and fact.country.name)}

    items = []
    for project in projects:
        facts = project.facts
        updated = project.last_published_at or project.first_published_at
        items.append(
            {
                "title": project.title,
                "url": absolute_url(request, project.get_url(request)),
                "summary": project.summary,
                "countries": [country(fact.name) for fact in facts.countries],
                "health_themes": [fact.name for fact in facts.themes],
                "uk_partners": [partner(fact) for fact in facts.uk_partners],
                "overseas_partners": [partner(fact) for fact in facts.overseas_partners],
                "programme": project.programme.title if project.programme else None,
                "start_year": project.start_year,
                "end_year": project.end_year,
                "last_updated": updated.isoformat() if updated else None,
            }
        )

    def with_country(partner):
        place = partner["country"]
        return f"{partner['name']} ({place['name']})" if place else partner["name"]

    rows = [
        [
            item["title"],
            item["url"],
            item["summary"],
            opendata.joined(c["code"] for c in item["countries"]),
            opendata.joined(c["name"] for c in item["countries"]),
            opendata.joined(item["health_themes"]),
            opendata.joined(with_country(p) for p in item["uk_partners"]),
            opendata.joined(with_country(p) for p in item["overseas_partners"]),
            item["programme"],
            item["start_year"],
            item["end_year"],
            item["last_updated"],
        ]
        for item in items
    ]
    return opendata.dataset(
        request,
        index,
        listing.querystring,
        attribution=SiteFooter.for_request(request).organisation_name,
        items=items,
        total=total,
        csv_header=CSV_HEADER,
        csv_rows=rows,
    )


def respond(index, request, fmt: str):
    return opendata.respond(
        request,
        fmt=fmt,
        kind="projects",
        title="THET's health partnership projects",
        params=DATA_PARAMS,
        build=lambda: project_data(index, request),
    )
