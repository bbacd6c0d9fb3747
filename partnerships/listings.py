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
table behind ``thet_site/modelsearch_compat.py`` on SQLite), not a condition to compose into that
statement. A part of a name ("Notting") also matches, as visitors type partners' and
places' names. The words are the same bounded ones (``pages.search.query_words``, at most
six), so the statements stay bounded in number and size, and flat at 10x the projects
(tests/test_bounded_cost.py).

The open data (``/our-work/projects/data.csv`` and ``data.json``): the same projects
as the listing for the same filters (live, public, in order), every one of them rather than
a page. The format is written by ``thet_site/opendata.py``; docs/open-data.md
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
from partnerships import iati
from partnerships.forms import ProjectFilterForm
from partnerships.worldmap import map_context
from thet_site import opendata
from thet_site.siteurl import absolute_url

PROJECTS_PER_PAGE = 20
FACT_RELATIONS = ("countries", "themes", "uk_partners", "overseas_partners")


class ProjectListing(Listing):
    """The filter form, page of projects and map of a ``ProjectIndexPage`` (``index``),
    which gives its projects (``listed_projects``) and facet options (``facet_options``)."""

    per_page = PROJECTS_PER_PAGE
    form_class = ProjectFilterForm

    @cached_property
    def items(self):
        return self.index.listed_projects()

    @cached_property
    def form(self):
        return self.form_class(
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

    # --- open data (see the module docstring)
    data_kind = "projects"
    data_title = "THET's health partnership projects"

    @property
    def data_columns(self):
        return CSV_COLUMNS

    def data_items(self, projects) -> list[dict]:
        request = self.request
        attach_facts(projects)
        settings = self.index.iati_settings()
        iati_ids = {p.pk: iati.identifier(p, settings) for p in projects}
        countries = self.form.options["country"]
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
                    "start_month": project.start_month,
                    "end_month": project.end_month,
                    "budget": float(project.budget) if project.budget is not None else None,
                    "budget_currency": settings.default_currency,
                    "iati_identifier": iati_ids[project.pk],
                }
            )
        return items

    def other_data(self, fmt: str) -> dict:
        return project_activities(self)  # the one other format: IATI XML


# Each of a project's many-to-many relations that cards and files show, and the field of
# its through table that points at the other side.
RELATION_TARGETS = {
    "countries": "country",
    "themes": "healththeme",
    "uk_partners": "partnerorganisation",
    "overseas_partners": "partnerorganisation",
}


def relation_rows(model, ids, columns):
    """One row per link of the projects ``ids`` to their countries, themes and partners:
    a UNION ALL over the four relations (one query), each row giving ``f_project``,
    ``f_relation`` (the relation's name) and the expressions ``columns(relation,
    target)`` names, the same aliases in the same order for every relation."""
    text = CharField()
    parts = []
    for relation, target in RELATION_TARGETS.items():
        extra = columns(relation, target)
        parts.append(
            getattr(model, relation)
            .through.objects.filter(projectpage__in=ids)
            .order_by()
            .annotate(
                f_project=F("projectpage"),
                f_relation=Value(relation, output_field=text),
                **extra,
            )
            .values("f_project", "f_relation", *extra)
        )
    return parts[0].union(*parts[1:], all=True)


def attach_facts(projects) -> list:
    """Give each project ``facts``: its countries, health themes, UK partners and overseas
    partners, each a list of objects with ``name`` (partners also ``website`` and
    ``country``), in name order. One query for any number of projects (a UNION ALL over
    the four relations) where prefetching would take four."""
    projects = list(projects)
    if not projects:
        return projects
    ids = [project.pk for project in projects]
    blank = Value("", output_field=CharField())

    def columns(relation, target):
        partner = target == "partnerorganisation"
        return {
            "f_name": F(f"{target}__name"),
            "f_website": F(f"{target}__website") if partner else blank,
            "f_country": Coalesce(F(f"{target}__country__name"), blank) if partner else blank,
        }

    facts = {pk: {relation: [] for relation in FACT_RELATIONS} for pk in ids}
    rows = relation_rows(projects[0]._meta.model, ids, columns)
    for row in rows.order_by("f_relation", "f_name"):
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


def iati_columns(projects):
    """``projects`` with only the columns the IATI file and the readiness report read: not
    the bodies (StreamFields parsed per row), nor the cards' pictures."""
    programme = [f"programme__{name}" for name in iati.PROGRAMME_FIELDS]
    return (
        projects.select_related(None)
        .prefetch_related(None)
        .select_related("programme")
        .only(*iati.PROJECT_FIELDS, *programme)
    )


def iati_facts(projects) -> dict:
    """What the IATI file needs of each project's countries, themes and partners, by
    project id (``partnerships.iati.Facts``): one query for any number of projects, a
    UNION ALL over the four relations as in ``attach_facts`` (Django's prefetching costs
    a manager and a queryset per project and relation: seconds at 5,000 projects). Each
    item is an instance of its model holding only what the file and the readiness report
    read (its id, name and IATI fields), so the report can link to it."""
    projects = list(projects)
    if not projects:
        return {}
    model = projects[0]._meta.model
    ids = [project.pk for project in projects]
    blank = Value("", output_field=CharField())
    codes = {
        "countries": ("iso_code", None),
        "themes": ("dac_sector", None),
        "uk_partners": ("iati_ref", "iati_type"),
        "overseas_partners": ("iati_ref", "iati_type"),
    }
    targets = {
        relation: getattr(model, relation).through._meta.get_field(target).related_model
        for relation, target in RELATION_TARGETS.items()
    }

    def columns(relation, target):
        code, kind = codes[relation]
        return {
            "f_pk": F(target),
            "f_name": F(f"{target}__name"),
            "f_code": F(f"{target}__{code}"),
            "f_kind": F(f"{target}__{kind}") if kind else blank,
        }

    found = {pk: iati.Facts() for pk in ids}
    made = {}  # one object per snippet, however many projects share it
    for row in relation_rows(model, ids, columns):
        relation = row["f_relation"]
        key = (relation, row["f_pk"])
        item = made.get(key)
        if item is None:
            code, kind = codes[relation]
            values = {"pk": row["f_pk"], "name": row["f_name"], code: row["f_code"] or ""}
            if kind:
                values[kind] = row["f_kind"] or ""
            item = made[key] = targets[relation](**values)
        getattr(found[row["f_project"]], relation).append(item)
    return found


# --- open data --------------------------------------------------------------------------

# The IATI file holds every project (the Standard wants one file of a publisher's
# activities); this bounds a request's cost at twice THET's 10x benchmark size.
MAX_ACTIVITIES = 10_000
IATI_TYPE = "application/xml; charset=utf-8"


def project_activities(listing) -> dict:
    """The projects the listing shows for its filters as an IATI activity file
    (``partnerships/iati.py``), in a fixed number of queries: the projects with their
    programme, each of their four relations, and the settings."""
    index, request = listing.index, listing.request
    projects, total = opendata.bounded(iati_columns(listing.filtered), MAX_ACTIVITIES)
    found = {"total": total, "count": len(projects), "content_type": IATI_TYPE}
    if not projects:
        # The Standard has no file of no activities: say so rather than send an invalid one.
        message = "No projects match these filters, so there is no IATI activity to give.\n"
        return {
            **found,
            "status": 404,
            "content_type": "text/plain; charset=utf-8",
            "body": message.encode(),
        }
    note = ""
    if total > len(projects):
        note = f"The first {len(projects)} of {total} projects."
    # Every project is a child of the listing: its address is the listing's and its slug
    # (Wagtail's get_url per page would cost a second at 5,000 projects).
    base = absolute_url(request, index.get_url(request))
    body = iati.activities_xml(
        projects,
        index.iati_settings(),
        lambda project: f"{base}{project.slug}/",
        facts=iati_facts(projects),
        truncated_note=note,
    )
    return {**found, "body": body}


def with_country(partner):
    place = partner["country"]
    return f"{partner['name']} ({place['name']})" if place else partner["name"]


CSV_COLUMNS = [
    ("Title", lambda item: item["title"]),
    ("URL", lambda item: item["url"]),
    ("Summary", lambda item: item["summary"]),
    (
        "Country codes (ISO 3166)",
        lambda item: opendata.joined(c["code"] for c in item["countries"]),
    ),
    ("Countries", lambda item: opendata.joined(c["name"] for c in item["countries"])),
    ("Health themes", lambda item: opendata.joined(item["health_themes"])),
    ("UK partners", lambda item: opendata.joined(map(with_country, item["uk_partners"]))),
    (
        "Overseas partners",
        lambda item: opendata.joined(map(with_country, item["overseas_partners"])),
    ),
    ("Programme", lambda item: item["programme"]),
    ("Start year", lambda item: item["start_year"]),
    ("End year", lambda item: item["end_year"]),
    ("Last updated", lambda item: item["last_updated"]),
    ("Start month", lambda item: item["start_month"]),
    ("End month", lambda item: item["end_month"]),
    # The JSON's number, written with its two decimal places (14 digits at most: exact).
    ("Budget", lambda item: None if item["budget"] is None else f"{item['budget']:.2f}"),
    ("IATI identifier", lambda item: item["iati_identifier"]),
]
