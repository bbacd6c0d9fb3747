"""Seed content for policy: publication types, topics, the publications and the Policy
Work page that features some of them, from ``policy/seed_data.json``.

Idempotent, as every loader (pages/seed.py): what exists already is left as it is.
"""

import datetime
from pathlib import Path

from wagtail.models import Page

from pages.seed import SeedReport, add_page, read_data, report_stream, stream, upsert_snippet
from policy.models import (
    PolicyWorkFeaturedPublication,
    PolicyWorkPage,
    PublicationIndexPage,
    PublicationPage,
    PublicationType,
    Topic,
)

DATA_FILE = Path(__file__).with_name("seed_data.json")


def load_taxonomy(report: SeedReport) -> dict:
    """Publication types and topics, each by slug."""
    data = read_data(DATA_FILE)
    return {
        "types": {
            item["slug"]: upsert_snippet(report, PublicationType, **item)
            for item in data["publication_types"]
        },
        "topics": {item["slug"]: upsert_snippet(report, Topic, **item) for item in data["topics"]},
    }


def load_publications(report: SeedReport, parent: Page, taxonomy: dict) -> dict:
    """The publication listing under ``parent`` and its publications, by slug."""
    data = read_data(DATA_FILE)
    index = add_page(
        report, parent, PublicationIndexPage, "publications", **data["publication_index"]
    )
    return {
        item["slug"]: add_page(
            report,
            index,
            PublicationPage,
            item["slug"],
            title=item["title"],
            publication_type=taxonomy["types"][item["type"]],
            publication_date=datetime.date.fromisoformat(item["date"]),
            summary=item["summary"],
            topics=[taxonomy["topics"][slug] for slug in item["topics"]],
            body=stream(item["body"]),
            full_text=report_stream(item.get("full_text", [])),
        )
        for item in data["publications"]
    }


def load_policy_work(report: SeedReport, parent: Page, publications: dict) -> PolicyWorkPage:
    """The Policy Work page under ``parent``, featuring publications in the data's order
    (only when the page is new: an editor's choice is kept)."""
    data = dict(read_data(DATA_FILE)["policy_work"])
    featured = data.pop("featured")
    existing = parent.get_children().filter(slug="policy-work").exists()
    page = add_page(report, parent, PolicyWorkPage, "policy-work", **data)
    if not existing:
        for order, slug in enumerate(featured):
            PolicyWorkFeaturedPublication.objects.create(
                page=page, publication=publications[slug], sort_order=order
            )
        page.save_revision().publish()
    return page
