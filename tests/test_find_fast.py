"""Visitors find things fast: a search box in the header of every page (a plain GET form,
no JavaScript), listings that open at their result count, and shared addresses without
the empty parameters a filter form sends (``thet_site.middleware.DropEmptyParametersMiddleware``).

The Escape key and the phone layout are checked in a real browser
(``tests/browser/test_find_fast_browser.py``).
"""

import re

import pytest
from bs4 import BeautifulSoup

PROJECTS = "/our-work/projects/"
PUBLICATIONS = "/publications/"
NEWS = "/news/"

# One page of every type the site has, and the views that are not pages.
EVERY_PAGE_TYPE = [
    "/",  # HomePage
    "/about/",  # ContentPage
    "/our-work/",  # OurWorkPage
    "/our-work/policy-work/",  # PolicyWorkPage
    "/our-work/health-partnership-scheme/",  # ProgrammePage
    PROJECTS,  # ProjectIndexPage
    f"{PROJECTS}colposcopy-cervical-pathology-kathmandu-nepal/",  # ProjectPage
    PUBLICATIONS,  # PublicationIndexPage
    f"{PUBLICATIONS}experts-in-our-midst/",  # PublicationPage
    NEWS,  # NewsIndexPage
    f"{NEWS}health-partnership-volunteers-nepal-earthquake/",  # NewsStoryPage
    "/search/?q=nepal",  # site search
    "/no-such-page/",  # the 404 page
]


# --- The header's search box -------------------------------------------------------------


@pytest.mark.parametrize("url", EVERY_PAGE_TYPE)
def test_every_page_has_a_search_box_in_its_header(seeded, client, url):
    response = client.get(url)
    assert response.status_code == (404 if url == "/no-such-page/" else 200), url
    soup = BeautifulSoup(response.content, "html.parser")
    header = soup.find("header", class_="site-header")
    form = header.find("form", role="search")
    # A plain GET form to site search: it works without JavaScript.
    assert form["action"] == "/search/" and form["method"] == "get"
    field = form.find("input", attrs={"name": "q"})
    label = form.find("label", attrs={"for": field["id"]})
    assert label and label.get_text(strip=True) == "Search the site"
    assert form.find("button", type="submit").get_text(strip=True) == "Search"
    # Its landmark has a name of its own, different from any other search form's.
    names = [f.get("aria-label") or f.get("aria-labelledby") for f in soup.find_all(role="search")]
    assert len(names) == len(set(names)) and all(names), names
    assert len(soup.find_all(id=field["id"])) == 1


def test_the_header_search_box_leads_to_results(seeded, client):
    """What the browser sends when a visitor types in the box and presses Enter."""
    html = client.get("/search/", {"q": "earthquake"}).content.decode()
    assert "/news/health-partnership-volunteers-nepal-earthquake/" in html


# --- Listings open at the result count ---------------------------------------------------


@pytest.mark.parametrize("url", [PROJECTS, PUBLICATIONS])
def test_a_listings_filter_form_opens_the_page_at_the_result_count(seeded, client, url):
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    form = soup.find("form", class_="filter-form")
    assert form["action"] == f"{url}#results"
    results = soup.find(id="results")
    assert results.find(id="results-heading"), "the count is at the top of #results"


def test_the_project_results_come_before_the_map(seeded, client):
    """So a phone (one column) shows the projects first; the map follows."""
    html = client.get(f"{PROJECTS}?country=nepal").content.decode()
    assert 0 < html.index('id="results"') < html.index('id="map-heading"')


# --- Empty parameters are dropped from shared addresses ------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=&country=tanzania&theme=", "?country=tanzania"),
        ("?q=&country=tanzania&theme=&partner=&programme=", "?country=tanzania"),
        # The others keep their order, repeated ones too.
        ("?theme=ncds&q=&country=india", "?theme=ncds&country=india"),
        ("?country=india&theme=&country=china", "?country=india&country=china"),
        ("?q=mental+health&theme=", "?q=mental+health"),
        # Only spaces is empty; a name with no value, a stray "&" or "=" too.
        ("?q=+++&country=nepal", "?country=nepal"),
        ("?q&country=nepal", "?country=nepal"),
        ("?country=nepal&&page=2", "?country=nepal&page=2"),
        ("?country=nepal&", "?country=nepal"),
        ("?=&country=nepal", "?country=nepal"),
        # Nothing left: the plain listing.
        ("?q=&country=&theme=", ""),
        ("?&", ""),
        ("?page=", ""),
    ],
)
def test_project_listing_drops_empty_parameters(seeded, client, query, expected):
    response = client.get(PROJECTS + query)
    assert response.status_code == 301
    assert response["Location"] == PROJECTS + expected
    # The address it leads to is served as it is.
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=&type=report&topic=&year=", "?type=report"),
        ("?year=2023&q=&topic=diaspora&type=", "?year=2023&topic=diaspora"),
        ("?q=&type=&topic=&year=", ""),
        ("?page=&type=briefing", "?type=briefing"),
    ],
)
def test_publication_listing_drops_empty_parameters(seeded, client, query, expected):
    response = client.get(PUBLICATIONS + query)
    assert response.status_code == 301
    assert response["Location"] == PUBLICATIONS + expected
    assert client.get(response["Location"]).status_code == 200


def test_the_news_listing_drops_empty_parameters(seeded, client):
    response = client.get(f"{NEWS}?page=")
    assert response.status_code == 301 and response["Location"] == NEWS


@pytest.mark.parametrize("url", [PROJECTS, PUBLICATIONS, NEWS])
@pytest.mark.parametrize(
    "query", ["", "?country=tanzania", "?q=nepal&page=1", "?utm_source=newsletter"]
)
def test_an_address_without_empty_parameters_is_served(seeded, client, url, query):
    assert client.get(url + query).status_code == 200


def test_the_open_data_drops_empty_parameters_too(seeded, client):
    response = client.get(f"{PROJECTS}data.csv?q=&country=nepal&theme=")
    assert response.status_code == 301
    assert response["Location"] == f"{PROJECTS}data.csv?country=nepal"


@pytest.mark.parametrize(
    "query",
    [
        "?q=%00&country=",
        "?%00=&country=tanzania",
        "?%ff%fe=&country=%E2%80",
        "?country=%&theme=",
        "?q=" + "x" * 3000 + "&theme=",
        "?" + "&".join(f"p{n}=" for n in range(500)) + "&country=nepal",
        "?q=%3Cscript%3E&theme=&country=%22%3E",
        "?country=tanzania&theme=%20&q=%09",
    ],
)
@pytest.mark.parametrize("url", [PROJECTS, PUBLICATIONS])
def test_odd_addresses_never_fail(seeded, client, url, query):
    response = client.get(url + query)
    assert response.status_code in (200, 301, 400), response.status_code
    if response.status_code == 301:
        location = response["Location"]
        assert location.startswith(url) and "://" not in location
        assert not re.search(r"[?&][^=&]*=(&|$)", location), location  # nothing empty left
        assert client.get(location).status_code in (200, 400)


def test_the_redirect_never_leaves_the_site(seeded, client):
    response = client.get(f"/{PROJECTS}?q=&country=nepal")
    if response.status_code == 301:
        assert response["Location"].startswith("/") and not response["Location"].startswith("//")


def test_a_post_is_not_redirected(seeded, client):
    response = client.post(f"{PROJECTS}?q=&country=nepal")
    assert response.status_code != 301
