"""Seed content: the helpers every app's loader shares, and the pages app's own content.

Each app keeps its seed content as data in its own ``seed_data.json`` (the facts from
shared/seeds/) and loads it with a short ``seed.py``; ``sitewide``'s ``load_seed_content``
command calls the loaders in order. This module knows only the pages app.

Idempotent: every object is found by its slug first. Pages and snippets that already
exist are left exactly as they are, so running the loader again never duplicates
anything and never overwrites what an editor has changed since.

Bodies in the data files are StreamField content written short: each item is one
``{block type: value}`` pair, where ``paragraphs`` is a list of HTML paragraphs,
``heading`` the text of an h2, ``statistics`` a heading and its items, and any other
block type its value as stored. A statistic's ``source`` names one of the ``sources``
in ``pages/seed_data.json``, so each citation is written once.
"""

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from wagtail.models import Page, Site

from pages.models import ContentPage, HomePage, OurWorkPage, SiteFooter

DATA_FILE = Path(__file__).with_name("seed_data.json")


def read_data(path: Path) -> dict:
    """An app's seed data (its ``seed_data.json``), without the file's own comment."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


@functools.cache
def sources() -> dict[str, str]:
    """Where each seeded figure comes from (#15, #16), by the short name the data uses."""
    return read_data(DATA_FILE)["sources"]


def statistic(item: dict) -> dict:
    try:
        source = sources()[item["source"]]
    except KeyError as error:
        raise ValueError(f"Seed statistic {item['figure']!r}: unknown source {error}") from None
    return {"figure": item["figure"], "label": item["label"], "source": source}


def statistic_stream(items: list[dict]) -> list[dict]:
    """A stream of ``statistic`` blocks (the home and programme pages' figures)."""
    return [{"type": "statistic", "value": statistic(item)} for item in items]


def _block(item: dict) -> dict:
    ((kind, value),) = item.items()
    if kind == "paragraphs":
        return {"type": "paragraph", "value": "".join(f"<p>{text}</p>" for text in value)}
    if kind == "heading":
        return {"type": "heading", "value": {"text": value, "level": "h2"}}
    if kind == "statistics":
        items = [statistic(entry) for entry in value["items"]]
        return {"type": "statistics", "value": {"heading": value["heading"], "statistics": items}}
    return {"type": kind, "value": value}


def stream(items: list[dict]) -> list[dict]:
    """A body written short in a data file, as StreamField content."""
    return [_block(item) for item in items]


def report_stream(sections: list[dict]) -> list[dict]:
    """A publication's full text written short: each section a ``heading`` (and an
    optional ``anchor``) and its ``content``, a body written short (``stream``)."""
    return [
        {
            "type": "section",
            "value": {
                "heading": section["heading"],
                "anchor": section.get("anchor", ""),
                "content": stream(section["content"]),
            },
        }
        for section in sections
    ]


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def record(self, label: str, created: bool) -> None:
        (self.created if created else self.kept).append(label)


def upsert_snippet(report: SeedReport, model, slug: str, **defaults):
    obj, created = model.objects.get_or_create(slug=slug, defaults=defaults)
    report.record(f"{model._meta.verbose_name}: {obj}", created)
    return obj


def add_page(report: SeedReport, parent: Page, model, slug: str, **fields) -> Page:
    """Create and publish ``model`` under ``parent`` unless a page with ``slug`` exists."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        report.record(f"page: {existing.url_path}", False)
        return existing.specific
    m2m = {
        k: fields.pop(k)
        for k in list(fields)
        if isinstance(fields[k], list | tuple) and k in {f.name for f in model._meta.many_to_many}
    }
    page = model(slug=slug, **fields)
    for name, values in m2m.items():
        getattr(page, name).set(values)
    parent.add_child(instance=page)
    page.save_revision().publish()
    report.record(f"page: {page.url_path}", True)
    return page


# --- The pages app's own content ------------------------------------------------------


def load_home(report: SeedReport, data: dict) -> HomePage:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site and isinstance(site.root_page.specific, HomePage):
        report.record("page: /", False)
        return site.root_page.specific
    root = Page.get_first_root_node()
    # Wagtail's install creates a plain "Welcome" page; it is replaced by the real home.
    for welcome in root.get_children().filter(slug="home"):
        if welcome.specific_class is Page:
            welcome.delete()
    home = HomePage(
        **{**data, "statistics": statistic_stream(data["statistics"]), "body": stream(data["body"])}
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    if site:
        site.root_page = home
        site.site_name = "THET"
        site.save()
    else:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="THET"
        )
    report.record("page: /", True)
    return home


def load_pages(report: SeedReport) -> tuple[HomePage, OurWorkPage]:
    """The home page, About and Our Work; returns the pages the other apps build under."""
    data = read_data(DATA_FILE)
    home = load_home(report, data["home"])
    about, our_work = data["about"], data["our_work"]
    add_page(report, home, ContentPage, "about", **{**about, "body": stream(about["body"])})
    our_work_page = add_page(
        report, home, OurWorkPage, "our-work", **{**our_work, "body": stream(our_work["body"])}
    )
    return home, our_work_page


def load_footer(report: SeedReport, home: HomePage) -> None:
    footer, created = SiteFooter.objects.get_or_create(site=Site.objects.get(root_page=home))
    report.record("setting: footer", created)
