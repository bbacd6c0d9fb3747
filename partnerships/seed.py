"""Seed content for partnerships: countries, health themes, partners, the Health
Partnership Scheme and its projects, from ``partnerships/seed_data.json``.

Idempotent, as every loader (pages/seed.py): what exists already is left as it is.
"""

from pathlib import Path

from django.utils.text import slugify
from wagtail.models import Page

from pages.seed import SeedReport, add_page, read_data, statistic_stream, stream, upsert_snippet
from partnerships.models import (
    Country,
    HealthTheme,
    PartnerOrganisation,
    ProgrammePage,
    ProjectIndexPage,
    ProjectPage,
)

DATA_FILE = Path(__file__).with_name("seed_data.json")


def load_taxonomy(report: SeedReport) -> dict:
    """Countries, themes and partners, each by name."""
    data = read_data(DATA_FILE)
    countries = {
        item["name"]: upsert_snippet(report, Country, slugify(item["name"]), **item)
        for item in data["countries"]
    }
    themes = {item["name"]: upsert_snippet(report, HealthTheme, **item) for item in data["themes"]}
    partners = {
        item["name"]: upsert_snippet(
            report, PartnerOrganisation, **{**item, "country": countries.get(item["country"])}
        )
        for item in data["partners"]
    }
    return {"countries": countries, "themes": themes, "partners": partners}


def load_pages(report: SeedReport, parent: Page, taxonomy: dict) -> tuple[Page, Page]:
    """The programme page, the project listing and its projects, under ``parent``."""
    data = read_data(DATA_FILE)
    scheme = data["programme"]
    programme = add_page(
        report,
        parent,
        ProgrammePage,
        "health-partnership-scheme",
        **{
            **scheme,
            "statistics": statistic_stream(scheme["statistics"]),
            "body": stream(scheme["body"]),
        },
    )
    index = add_page(report, parent, ProjectIndexPage, "projects", **data["project_index"])
    for item in data["projects"]:
        add_page(
            report,
            index,
            ProjectPage,
            item["slug"],
            title=item["title"],
            summary=item["summary"],
            programme=programme,
            countries=[taxonomy["countries"][name] for name in item["countries"]],
            themes=[taxonomy["themes"][name] for name in item["themes"]],
            uk_partners=[taxonomy["partners"][name] for name in item["uk"]],
            overseas_partners=[taxonomy["partners"][name] for name in item["overseas"]],
        )
    return programme, index
