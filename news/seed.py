"""Seed content for news: the news listing and its stories, from ``news/seed_data.json``.

Idempotent, as every loader (pages/seed.py): what exists already is left as it is. A
story names what it is about (projects by slug, countries and themes by name,
publications by slug); ``sitewide/seed.py`` passes in those objects, since this app
imports neither feature app.
"""

import datetime
from pathlib import Path

from wagtail.models import Page

from news.models import NewsIndexPage, NewsStoryPage
from pages.seed import SeedReport, add_page, read_data, stream

DATA_FILE = Path(__file__).with_name("seed_data.json")


def load_news(report: SeedReport, parent: Page, subjects: dict) -> NewsIndexPage:
    """The news listing under ``parent`` and its stories. ``subjects``: dicts of the
    projects, publications (by slug), countries and themes (by name) a story may name."""
    data = read_data(DATA_FILE)
    index = add_page(report, parent, NewsIndexPage, "news", **data["news_index"])
    for item in data["stories"]:
        add_page(
            report,
            index,
            NewsStoryPage,
            item["slug"],
            title=item["title"],
            publication_date=datetime.date.fromisoformat(item["date"]),
            author=item["author"],
            summary=item["summary"],
            body=stream(item["body"]),
            **{
                relation: [subjects[relation][key] for key in item[relation]]
                for relation in ("projects", "publications", "countries", "themes")
            },
        )
    return index
