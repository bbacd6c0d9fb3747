"""The seed loader builds the whole tree and is idempotent; every seed fact is on the site."""

import ast
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command, get_commands
from wagtail.models import Page, Revision, Site

from pages.models import HomePage
from pages.seed import DATA_FILE, read_data, sources, statistic, stream
from partnerships.models import Country, HealthTheme, PartnerOrganisation, ProjectPage
from policy.models import PolicyWorkPage, PublicationPage, PublicationType, Topic
from tests import seed_numbers

SNIPPETS = (Country, HealthTheme, PartnerOrganisation, PublicationType, Topic)


def counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        **{model.__name__: model.objects.count() for model in SNIPPETS},
    }


@pytest.fixture
def empty_site(db):
    """Remove what the session's seed built, leaving Wagtail's bare root."""
    HomePage.objects.all().delete()
    for model in reversed(SNIPPETS):
        model.objects.all().delete()
    assert Page.objects.count() == 1


def test_builds_design_tree(empty_site):
    call_command("load_seed_content")
    paths = set(Page.objects.filter(depth__gte=2).values_list("url_path", flat=True))
    for path in (
        "/home/",
        "/home/about/",
        "/home/our-work/",
        "/home/our-work/policy-work/",
        "/home/our-work/health-partnership-scheme/",
        "/home/our-work/projects/",
        "/home/publications/",
    ):
        assert path in paths
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    assert ProjectPage.objects.live().count() == 3
    assert PublicationPage.objects.live().count() == 5
    featured = PolicyWorkPage.objects.get().featured_publications.all()
    assert [f.publication.slug for f in featured] == [
        "experts-in-our-midst",
        "from-competition-to-collaboration",
        "the-transition-from-aid",
        "in-our-mutual-interest",
    ]


def test_running_twice_changes_nothing(empty_site):
    call_command("load_seed_content")
    first = counts()
    call_command("load_seed_content")
    assert counts() == first


def test_does_not_overwrite_editors_changes(db):
    call_command("load_seed_content")
    home = HomePage.objects.get()
    home.headline = "Edited by comms"
    home.save_revision().publish()
    call_command("load_seed_content")
    assert HomePage.objects.get().headline == "Edited by comms"


def test_projects_link_to_snippets(db):
    call_command("load_seed_content")
    project = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    assert [c.name for c in project.countries.all()] == ["Tanzania"]
    assert [t.name for t in project.themes.all()] == ["Mental Health"]
    partner = project.overseas_partners.get()
    assert partner.location == "overseas" and partner.country.name == "Tanzania"
    assert project.uk_partners.get().location == "uk"


# --- Every seed fact where a visitor looks for it, with its source ----------

ABOUT = "/about/"
BRIEFING = "/publications/general-election-2024-briefing/"
HPS = "/our-work/health-partnership-scheme/"
HOME = "/"
OUR_WORK = "/our-work/"
EXPERTS = "/publications/experts-in-our-midst/"

# Every figure in shared/seeds/ (seed file, figure as shown, the page that must show it).
SEED_FIGURES = [
    # 000 Policy Work: the diaspora share of the NHS workforce.
    ("000", "15%", EXPERTS),
    # 001 General Election 2024 Briefing.
    ("001", "2024", BRIEFING),
    ("001", "130", BRIEFING),
    ("001", "130+", HOME),
    ("001", "1 in 5", BRIEFING),
    ("001", "1 in 3", BRIEFING),  # UK doctors not trained in the UK, and diaspora staff
    ("001", "214", BRIEFING),
    ("001", "250,000", BRIEFING),
    ("001", "96%", BRIEFING),
    ("001", "88%", BRIEFING),
    ("001", "76%", BRIEFING),
    ("001", "4.5 billion", BRIEFING),
    ("001", "0.7%", BRIEFING),
    ("001", "0.5%", BRIEFING),
    ("001", "2021", BRIEFING),
    ("001", "40%", BRIEFING),
    ("001", "£48 million", BRIEFING),
    ("001", "78,000", BRIEFING),
    ("001", "430,000", BRIEFING),
    ("001", "first 100 days", BRIEFING),
    ("001", "100,000+", BRIEFING),
    ("001", "100,000+", HOME),
    ("001", "31", BRIEFING),
    ("001", "31", HOME),
    ("001", "ten years", BRIEFING),
    ("001", "1988", HOME),
    ("001", "1988", ABOUT),
    # 002 About / Our approach.
    ("002", "A world where everyone has access to healthcare", ABOUT),
    ("002", "Working in partnership to support health workers across the world", ABOUT),
    ("002", "74,000+", ABOUT),
    ("002", "34", ABOUT),
    ("002", "six years", ABOUT),
    ("002", "1 in 7", ABOUT),
    ("002", "13 million", ABOUT),
    ("002", "twenty-five years", ABOUT),
    ("002", "100+", ABOUT),
    ("002", "2,000", ABOUT),
    ("002", "87,000+", ABOUT),
    ("002", "four years", ABOUT),
    ("002", "Eight", ABOUT),  # Principles of Partnership
    ("002", "more than 200", OUR_WORK),
    ("002", "34 countries", OUR_WORK),
    ("002", "£30 million", HPS),
    ("002", "six years", HPS),
    # 003 Who we are / values.
    ("003", "7.2 million", ABOUT),
    ("003", "200+", ABOUT),  # health partnerships supported, among the earlier figures
    # 004 Health Partnership Scheme.
    ("004", "2010", HPS),
    ("004", "2018", HPS),  # "in eight years"
    ("004", "191", HPS),
    ("004", "210", HPS),
    ("004", "2,000+", HPS),
    ("004", "93,112", HPS),
    ("004", "30", HPS),
]

# Numbers in the seed files that are not figures to show.
NOT_FIGURES = {
    ("001", "10"): "'in the past 10 years': shown in words, 'ten years'.",
    ("004", "3.1.0"): "the leaked WordPress notices at the top of the old page.",
    ("004", "3.3.0"): "the leaked WordPress notices.",
    ("004", "6078"): "the leaked WordPress notices.",
}

# Figures in the seeds that the site deliberately does not show, and why.
SUPERSEDED = {
    ("002", "since 1989"): "THET was founded in 1988, as the 2024 briefing (001) says.",
    ("002", "three decades"): "an age that dates; 'since 1988' does not.",
    ("003", "across 29 countries"): "the same sentence in the later About page (002) says 34.",
    ("003", "two country programmes"): "002, later, names three (Ethiopia, Somaliland, Zambia).",
}


def visible_text(html: str) -> str:
    main = BeautifulSoup(html, "html.parser").find("main")
    return " ".join(main.get_text(" ").split())


@pytest.mark.django_db
def test_every_seed_figure_is_on_the_site(client):
    texts = {}
    missing = []
    for seed, figure, url in SEED_FIGURES:
        if url not in texts:
            response = client.get(url)
            assert response.status_code == 200, url
            texts[url] = visible_text(response.content.decode())
        pattern = rf"(?<![\w,.]){re.escape(figure)}(?![\w,]|\.\d)"
        if not re.search(pattern, texts[url]):
            missing.append(f"seed {seed}: {figure!r} is not on {url}")
    assert not missing, "\n".join(missing)


def unexplained_numbers(seeds: dict[str, dict]) -> list[str]:
    accounted = [(seed, figure) for seed, figure, _ in SEED_FIGURES] + list(SUPERSEDED)
    accounted += list(NOT_FIGURES)
    unexplained = []
    for seed, found in seeds.items():
        for number in found["numbers"]:
            pattern = rf"(?<![\d,.]){re.escape(number)}(?![\d,]|\.\d)"
            if not any(s == seed and re.search(pattern, f) for s, f in accounted):
                unexplained.append(f"seed {seed}: {number}")
    return unexplained


def test_every_figure_in_the_seed_files_is_placed_or_explained():
    """A number in a source page must be placed on the site above or explained. The
    numbers are kept in the repository (tests/seed_numbers.py says how to refresh them
    when the source pages change), so this runs in a clone with nothing beside it."""
    seeds = seed_numbers.kept()
    assert sorted(seeds) == ["000", "001", "002", "003", "004"]
    unexplained = unexplained_numbers(seeds)
    assert not unexplained, "neither shown nor explained:\n" + "\n".join(unexplained)


def test_a_new_number_in_a_source_page_is_caught(tmp_path):
    """The refresh reads a folder of source pages; a number nobody placed fails the check."""
    (tmp_path / "000_page.txt").write_text("The diaspora are 15% of staff and 4,321 nurses.")
    seeds = seed_numbers.read_folder(tmp_path)
    assert seeds["000"]["numbers"] == ["15", "4,321"]
    assert unexplained_numbers(seeds) == ["seed 000: 4,321"]


@pytest.mark.django_db
def test_every_seeded_statistic_names_its_source(client):
    """The server-side half of the content check: every statistic on every seeded
    page has a source (the browser runs the editors' checker itself, see
    tests/browser/test_content_checks.py)."""
    unsourced = []
    for url in [p.url for p in Page.objects.live().public().filter(depth__gt=1)]:
        soup = BeautifulSoup(client.get(url).content.decode(), "html.parser")
        for item in soup.select(".statistic"):
            source = item.select_one(".statistic__source")
            if source is None or not source.get_text(strip=True).removeprefix("Source:").strip():
                figure = item.select_one(".statistic__figure").get_text(strip=True)
                unsourced.append(f"{url}: {figure}")
    assert not unsourced, "statistics without a source:\n" + "\n".join(unsourced)
    about = BeautifulSoup(client.get(ABOUT).content.decode(), "html.parser").get_text(" ")
    assert "Source: World Health Organization estimate" in " ".join(about.split())


# --- The seed as data: one data file and one short loader per app ---------------

APPS = ("pages", "partnerships", "policy")
FEATURE_APPS = {"partnerships", "policy", "sitewide"}
ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("app", APPS)
def test_each_apps_loader_imports_no_other_feature_app(app):
    roots = {name.split(".")[0] for name in imported_modules(ROOT / app / "seed.py")}
    assert not (roots & (FEATURE_APPS - {app})), f"{app}/seed.py imports {roots}"


def test_the_command_is_in_the_top_layer_and_nowhere_else():
    assert get_commands()["load_seed_content"] == "sitewide"
    assert not (ROOT / "pages" / "management" / "commands" / "load_seed_content.py").exists()


def statistics_in(value):
    """Every statistic written in a data file, wherever it sits."""
    if isinstance(value, dict):
        if {"figure", "label", "source"} <= set(value):
            yield value
        for item in value.values():
            yield from statistics_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from statistics_in(item)


def test_every_statistic_in_the_data_names_a_known_source():
    assert read_data(DATA_FILE)["sources"] == sources()
    found = 0
    for app in APPS:
        for item in statistics_in(read_data(ROOT / app / "seed_data.json")):
            assert item["source"] in sources(), f"{app}: {item}"
            found += 1
    assert found >= 30  # the seeded figures, not an empty walk


def test_the_short_body_expands_to_stream_blocks():
    short = [
        {"heading": "Why"},
        {"paragraphs": ["One &amp; two.", "Three."]},
        {"statistics": {"heading": "", "items": [{"figure": "1", "label": "a", "source": "WHO"}]}},
        {"key_asks": {"heading": "Asks", "asks": ["More"]}},
    ]
    assert stream(short) == [
        {"type": "heading", "value": {"text": "Why", "level": "h2"}},
        {"type": "paragraph", "value": "<p>One &amp; two.</p><p>Three.</p>"},
        {
            "type": "statistics",
            "value": {
                "heading": "",
                "statistics": [{"figure": "1", "label": "a", "source": sources()["WHO"]}],
            },
        },
        {"type": "key_asks", "value": {"heading": "Asks", "asks": ["More"]}},
    ]


def test_a_statistic_with_an_unknown_source_stops_the_load():
    with pytest.raises(ValueError, match="'9'.*NOBODY"):
        statistic({"figure": "9", "label": "things", "source": "NOBODY"})


def test_data_file_facts_reach_the_pages(empty_site, client):
    """What a data file says is what the page shows: read back, not retyped."""

    call_command("load_seed_content")
    data = read_data(ROOT / "policy" / "seed_data.json")
    briefing = next(p for p in data["publications"] if p["type"] == "briefing")
    page = PublicationPage.objects.get(slug=briefing["slug"])
    assert page.title == briefing["title"]
    assert page.publication_date.isoformat() == briefing["date"]
    assert [t.slug for t in page.topics.order_by("slug")] == sorted(briefing["topics"])
    blocks = [b for section in briefing["full_text"] for b in section["content"]]
    asks = next(b["key_asks"] for b in blocks if "key_asks" in b)
    html = client.get(page.url).content.decode()
    assert asks["asks"][0].split(" and ")[0] in html
