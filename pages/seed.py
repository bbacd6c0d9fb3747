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

from pages.models import (
    ContactFormField,
    ContactPage,
    ContentPage,
    HomePage,
    OurWorkPage,
    SiteFooter,
)

DATA_FILE = Path(__file__).with_name("seed_data.json")


def read_data(path: Path) -> dict:
    """An app's seed data (its ``seed_data.json``), without the file's own comment."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


@functools.cache
def sources() -> dict[str, str]:
    """Where each seeded figure comes from, by the short name the data uses."""
    return read_data(DATA_FILE)["sources"]


def statistic(item: dict) -> dict:
    try:
        source = sources()[item["source"]]
    except KeyError as error:
        raise ValueError(f"Seed statistic {item['figure']!r}: unknown source {error}") from None
    value = {"figure": item["figure"], "label": item["label"], "source": source}
    # When the figure was true: the time it covers and the date it was stated, if known.
    value.update({key: item[key] for key in ("period", "as_of") if item.get(key)})
    return value


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
    fields = {k: v for k, v in data.items() if k != "hero_links"}
    home = HomePage(
        **{
            **fields,
            "statistics": statistic_stream(data["statistics"]),
            "body": stream(data["body"]),
        }
    )
    # Its first revision is saved by ``publish_home`` once the pages its buttons link
    # to exist, so that first version (restorable from its history) has them.
    root.add_child(instance=home)
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
    home_created = "page: /" in report.created
    about, our_work = data["about"], data["our_work"]
    add_page(report, home, ContentPage, "about", **{**about, "body": stream(about["body"])})
    our_work_page = add_page(
        report, home, OurWorkPage, "our-work", **{**our_work, "body": stream(our_work["body"])}
    )
    load_get_involved(report, home, data, link_from_home=home_created)
    return home, our_work_page


def page_link(page: Page) -> dict:
    return {"page": page.pk, "url": ""}


def call_to_action(heading: str, text: str, page: Page, button: str) -> dict:
    return {
        "type": "call_to_action",
        "value": {
            "heading": heading,
            "text": text,
            "link": page_link(page),
            "button_label": button,
        },
    }


def publish_body(page: Page, blocks: list[dict]) -> None:
    """Give a page just created its body of links to pages made after it."""
    page.body = list(page.body.raw_data) + blocks
    page.save_revision().publish()


def load_contact(report: SeedReport, home: HomePage, data: dict) -> ContactPage:
    existing = home.get_children().filter(slug="contact").first()
    fields = data.pop("fields")
    page = add_page(report, home, ContactPage, "contact", **data)
    if existing is None:
        for order, field_data in enumerate(fields):
            ContactFormField.objects.create(page=page, sort_order=order, **field_data)
        page.save_revision().publish()
    return page


def load_get_involved(report: SeedReport, home: HomePage, data: dict, link_from_home: bool):
    """Get involved, Start a health partnership, Contact, and the privacy notice and
    accessibility statement the footer links to. Pages made in this run get their links
    to one another; the home page gets them only when it was made in this run too."""
    contact = load_contact(report, home, dict(data["contact"]))
    get_involved_new = not home.get_children().filter(slug="get-involved").exists()
    section = dict(data["get_involved"])
    get_involved = add_page(report, home, ContentPage, "get-involved", **section)
    start = dict(data["start_partnership"])
    start_new = not get_involved.get_children().filter(slug="start-a-health-partnership").exists()
    start_page = add_page(
        report,
        get_involved,
        ContentPage,
        "start-a-health-partnership",
        **{**start, "body": stream(start["body"])},
    )
    if start_new:
        publish_body(
            start_page,
            [call_to_action("Ready to begin?", "", contact, "Send us a message")],
        )
    if get_involved_new:
        publish_body(
            get_involved,
            [
                {
                    "type": "featured_pages",
                    "value": {
                        "heading": "Ways to get involved",
                        "pages": [start_page.pk, contact.pk],
                    },
                }
            ],
        )
    for key in ("privacy", "accessibility"):
        item = dict(data[key])
        slug = item.pop("slug")
        add_page(report, home, ContentPage, slug, **{**item, "body": stream(item["body"])})
    if link_from_home:
        # Not published here: ``publish_home`` saves the home page's first version once
        # its buttons' pages exist, with these blocks in it.
        home.body = list(home.body.raw_data) + (
            [
                call_to_action(
                    "Start a health partnership",
                    "Bring your hospital, university or college into a partnership with "
                    "health workers overseas.",
                    start_page,
                    "Find out how",
                ),
                call_to_action(
                    "Get in touch",
                    "Questions about partnerships, our programmes or publications?",
                    contact,
                    "Contact us",
                ),
            ]
        )


def home_buttons(home: HomePage, items: list[dict]) -> list[tuple]:
    """The home page's buttons as stored content: each names a page by its path under
    the home page (``/our-work/``) and what the button says."""
    buttons = []
    for item in items:
        slugs = [slug for slug in item["page"].split("/") if slug]
        page = home
        for slug in slugs:
            page = page.get_children().get(slug=slug)
        buttons.append(("link", {"page": page, "url": "", "label": item["label"]}))
    return buttons


def publish_home(report: SeedReport, home: HomePage) -> None:
    """Give a home page created by this run its buttons and its first published version
    (every other page is published as it is created)."""
    if home.latest_revision_id is not None:
        return
    home.hero_links = home_buttons(home, read_data(DATA_FILE)["home"]["hero_links"])
    home.save_revision().publish()
    report.record("home page buttons", True)


def load_footer(report: SeedReport, home: HomePage) -> None:
    footer, created = SiteFooter.objects.get_or_create(site=Site.objects.get(root_page=home))
    report.record("setting: footer", created)
    if created:
        # Only what the seeds and the tree give; the rest is listed for the comms team.
        children = {page.slug: page for page in home.get_children()}
        footer.links = [
            {"type": "link", "value": {**page_link(children[slug]), "label": ""}}
            for slug in ("get-involved", "contact")
            if slug in children
        ]
        footer.privacy_page = children.get("privacy")
        footer.accessibility_page = children.get("accessibility")
        footer.save()
