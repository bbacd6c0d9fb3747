"""The project listing's open data twin: ``/our-work/projects/data.csv`` and ``data.json``
(#16), the same projects as the listing for the same filters (its own form and queryset:
live, public, in order), every one of them rather than a page. The format is written by
``thet_site/opendata.py``; README.md ("Open data") documents the columns and fields.

A fixed number of queries whatever the number of rows: the filtered projects (with their
programme), their countries, themes and partners (``attach_facts``), the countries' ISO
codes and the site's organisation name.
"""

from __future__ import annotations

from pages.models import SiteFooter
from partnerships.forms import FILTER_PARAMS
from partnerships.models import Country, ProjectListing, attach_facts
from thet_site import opendata
from thet_site.siteurl import absolute_url

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
DATA_PARAMS = tuple(name for name in FILTER_PARAMS if name != "page")


def project_data(index, request) -> dict:
    """The projects the listing shows for ``request``'s filters, as JSON items and CSV
    rows (see ``opendata.respond``)."""
    listing = ProjectListing(index, request)
    form = listing.form
    projects, total = opendata.bounded(form.filtered())
    attach_facts(projects)
    codes = dict(Country.objects.values_list("name", "iso_code")) if projects else {}

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
        form.querystring(),
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
