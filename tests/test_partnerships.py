"""Project listing filters, project and programme pages, the map on them."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.importers import import_projects
from partnerships.models import Country, HealthTheme, PartnerOrganisation, ProjectPage
from tests.test_import import project_rows, to_csv

LISTING = "/our-work/projects/"
PROGRAMME = "/our-work/health-partnership-scheme/"

NEPAL = "colposcopy and cervical pathology"
TANZANIA = "violence and aggression"
INDIA_CHINA = "healthcare resource allocation"


def titles(html: str) -> list[str]:
    """Titles of the project cards on a listing, in order (not the news beside them)."""
    pattern = (
        r'<article class="card project-card">.*?class="card__title"><a href="[^"]*">([^<]+)</a>'
    )
    return [unescape(t) for t in re.findall(pattern, html, re.S)]


def has(titles_found, fragment):
    return any(fragment in t for t in titles_found)


@pytest.mark.django_db
def test_listing_shows_every_seed_project_and_count(get_html):
    html = get_html(LISTING)
    found = titles(html)
    assert len(found) == 3
    assert "3 projects" in html
    assert "Clear filters" not in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("country=nepal", [NEPAL]),
        ("country=tanzania", [TANZANIA]),
        ("country=india", [INDIA_CHINA]),
        ("theme=mental-health", [TANZANIA]),
        ("theme=ncds", [INDIA_CHINA]),
        ("partner=nice", [INDIA_CHINA]),
        ("partner=maternity-hospital-kathmandu", [NEPAL]),
        ("programme=health-partnership-scheme", [NEPAL, TANZANIA, INDIA_CHINA]),
        ("q=colposcopy", [NEPAL]),
        ("q=Nottingham", [NEPAL]),  # a UK partner's name
        ("q=tanzania+violence", [TANZANIA]),
        ("country=china&theme=ncds&partner=cnhdrc", [INDIA_CHINA]),
    ],
)
@pytest.mark.django_db
def test_each_facet_filters_from_a_shareable_url(get_html, query, expected):
    html = get_html(f"{LISTING}?{query}")
    found = titles(html)
    assert len(found) == len(expected), found
    for fragment in expected:
        assert has(found, fragment), (fragment, found)
    assert "Clear filters" in html
    count = len(expected)
    noun, verb = ("project", "matches") if count == 1 else ("projects", "match")
    assert f"{count} {noun} {verb} your filters" in html


@pytest.mark.django_db
def test_options_show_counts_under_the_other_filters(get_html):
    html = get_html(LISTING)
    assert re.search(r'<option value="tanzania">Tanzania \(1\)</option>', html)
    assert re.search(
        r'<option value="health-partnership-scheme">Health Partnership Scheme \(3\)', html
    )
    html = get_html(f"{LISTING}?theme=ncds")
    # With the NCDs theme chosen only India and China still give a project.
    assert re.search(r'<option value="china">China \(1\)</option>', html)
    assert 'value="nepal"' not in html
    # Partners are grouped by where they are.
    uk, overseas = (
        html.index('<optgroup label="UK partners">'),
        html.index('<optgroup label="Overseas partners">'),
    )
    assert uk < html.index('value="nice">NICE (1)</option>') < overseas
    assert overseas < html.index('value="cnhdrc">')
    # The chosen option stays selected.
    assert re.search(r'<option value="ncds" selected>NCDs \(1\)</option>', html)


@pytest.mark.parametrize(
    "query",
    [
        "country=abc",
        "theme=no-such-theme",
        "partner=nobody",
        "programme=not-a-programme",
        "q=zzzzqqqq",
        "country=nepal&theme=mental-health",
    ],
)
@pytest.mark.django_db
def test_values_that_match_nothing_give_an_empty_list_and_a_message(get_html, query):
    html = get_html(f"{LISTING}?{query}")
    assert titles(html) == []
    assert "No projects found" in html
    assert "Try fewer filters" in html
    assert "Clear filters" in html


@pytest.mark.parametrize(
    "query",
    [
        "country=%3Cscript%3E",
        "theme=%27%20OR%201%3D1--",
        "partner=a%00b",
        "programme=%22%3E",
        "country=" + "x" * 5000,
    ],
)
@pytest.mark.django_db
def test_malformed_values_are_ignored_with_a_message(get_html, query):
    html = get_html(f"{LISTING}?{query}")
    assert "could not be used" in html
    assert "so we ignored it" in html
    assert len(titles(html)) == 3
    assert "<script>" not in html


@pytest.mark.parametrize(
    "q",
    ['"', "'", '">', 'unbalanced "quote', "AND OR NOT", "%", "_", "\\", "a\x00b", "(((", "*"],
)
@pytest.mark.django_db
def test_hostile_free_text_never_fails(client, q):
    response = client.get(LISTING, {"q": q})
    assert response.status_code == 200


# (an empty ``page=`` is dropped by a redirect first: tests/test_find_fast.py)
@pytest.mark.parametrize("page", ["-1", "0", "abc", "99999", "9" * 5000, "1.5"])
@pytest.mark.django_db
def test_out_of_range_pages_are_handled(get_html, page):
    html = get_html(f"{LISTING}?page={page}")
    assert len(titles(html)) == 3


@pytest.mark.django_db
def test_project_page_shows_partners_with_country_and_website(get_html):
    partner = PartnerOrganisation.objects.get(slug="maternity-hospital-kathmandu")
    partner.website = "https://example.org/kathmandu"
    partner.save()
    html = get_html("/our-work/projects/colposcopy-cervical-pathology-kathmandu-nepal/")
    link = (
        '<a href="https://example.org/kathmandu" rel="noopener">Maternity Hospital, Kathmandu</a>'
    )
    assert f"{link} (Nepal)" in html
    assert "Nottingham University Hospital NHS Trust" in html
    assert "Sexual and Reproductive Health" in html
    assert 'href="/our-work/health-partnership-scheme/"' in html


@pytest.mark.django_db
def test_related_projects_share_a_country_or_theme(get_html):
    nepal = ProjectPage.objects.get(slug="colposcopy-cervical-pathology-kathmandu-nepal")
    tanzania = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    html = get_html(nepal.url)
    assert "Related projects" not in html
    tanzania.countries.add(Country.objects.get(slug="nepal"))
    tanzania.save_revision().publish()
    html = get_html(nepal.url)
    assert "Related projects" in html
    assert TANZANIA in html


@pytest.mark.django_db
def test_programme_page_links_to_its_filtered_listing(get_html):
    html = get_html(PROGRAMME)
    assert f'href="{LISTING}?programme=health-partnership-scheme"' in html
    assert "93,112" in html


@pytest.mark.django_db
def test_listing_map_shades_seed_countries_and_links_to_filtered_listing(get_html):
    html = get_html(LISTING)
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    for name in ("India", "China", "Nepal", "Tanzania"):
        assert f"<title>{name}: 1 project</title>" in svg
    assert '<a href="?country=tanzania">' in svg
    # The text list beside the map for screen readers and without the picture.
    assert '<a href="?country=nepal">Nepal</a>: 1 project' in html
    # Filters are kept in the map's links.
    html = get_html(f"{LISTING}?theme=ncds")
    assert '<a href="?country=china&amp;theme=ncds">' in html
    assert "<title>Nepal" not in html


@pytest.mark.django_db
def test_programme_map_links_to_listing_filtered_by_programme_and_country(get_html):
    html = get_html(PROGRAMME)
    assert "<title>Tanzania: 1 project</title>" in html
    href = f"{LISTING}?programme=health-partnership-scheme&amp;country=tanzania"
    assert f'<a href="{href}">Tanzania</a>: 1 project' in html
    get_html(unescape(href))


@pytest.mark.django_db
def test_unpublished_projects_are_not_listed_or_counted(get_html):
    ProjectPage.objects.get(slug="violence-aggression-management-tanzania").unpublish()
    html = get_html(LISTING)
    assert len(titles(html)) == 2
    assert 'value="tanzania"' not in html
    assert HealthTheme.objects.filter(slug="mental-health").exists()
    assert "Mental Health (" not in html


# --- Query counts that do not grow with the data ----------------------------------------


QUERY_COUNT_URLS = [
    LISTING,
    f"{LISTING}?country=tanzania&theme=mental-health&q=imported",
    f"{LISTING}?partner=uk-partner-trust-1&country=nepal",
    f"{LISTING}?programme=health-partnership-scheme&page=2",
    PROGRAMME,
    "/our-work/projects/violence-aggression-management-tanzania/",
    "/our-work/projects/imported-project-1/",
]


def count_queries(client, url) -> int:
    client.get(url)  # warm the site and URL caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_500_row_import_is_idempotent_and_query_counts_do_not_grow(client, full_render):
    """Import 10 projects, count each page's queries; import 500 (the 10 again and 490
    more) and count again: the same. Importing the 500 a second time changes nothing."""
    report = import_projects(to_csv(project_rows(10)))
    assert report.ok and len(report.created) == 10
    at_10 = {url: count_queries(client, url) for url in QUERY_COUNT_URLS}

    data = to_csv(project_rows(500))
    report = import_projects(data)
    assert report.ok, report.errors[:5]
    assert (len(report.created), len(report.unchanged)) == (490, 10)
    assert ProjectPage.objects.live().filter(slug__startswith="imported-").count() == 500
    at_500 = {url: count_queries(client, url) for url in QUERY_COUNT_URLS}
    assert at_500 == at_10
    assert max(at_500.values()) <= 15, at_500

    again = import_projects(data)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 500)
    assert ProjectPage.objects.count() == 503
    # The listing really pages through them all, keeping the filters in its links.
    html = client.get(f"{LISTING}?programme=health-partnership-scheme&page=26").content.decode()
    assert "Page 26 of 26" in html
    assert "503 projects match your filters, showing 501–503" in html
    assert 'href="?programme=health-partnership-scheme&amp;page=25#results" rel="prev"' in html
