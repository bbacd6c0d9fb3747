"""The one listing pattern: both listings read bad values the same way.

Each case runs against the project listing and the publication listing (``pages/listings.py``
describes the behaviour): an unknown value gives an empty list and says so, a malformed
one is ignored and named, a bad page number gives the first or last page, huge values,
odd bytes and repeated parameters never give a 500.
"""

import ast
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from pages.listings import FilterForm
from partnerships.forms import ProjectFilterForm
from partnerships.listings import ProjectListing
from partnerships.models import ProjectIndexPage
from policy.forms import PublicationFilterForm
from policy.listings import PublicationListing
from policy.models import PublicationIndexPage
from tests.bulk import add_projects

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    url: str
    plural: str
    total: int  # what the seed content lists
    facet: str  # a slug filter
    known: str  # a value of it that matches some
    unknown_message: str  # what the page says for ?facet=no-such-thing
    index_model: type
    listing: type

    def __str__(self):
        return self.plural


PROJECTS = Case(
    "/our-work/projects/",
    "projects",
    3,
    "country",
    "nepal",
    "We have no country “no-such-thing”.",
    ProjectIndexPage,
    ProjectListing,
)
PUBLICATIONS = Case(
    "/publications/",
    "publications",
    5,
    "topic",
    "uk-aid",
    "We have no topic “no-such-thing”.",
    PublicationIndexPage,
    PublicationListing,
)
BOTH = pytest.mark.parametrize("case", [PROJECTS, PUBLICATIONS], ids=str)


def page_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def count_heading(html) -> str:
    return BeautifulSoup(html, "html.parser").find(id="results-heading").get_text(" ", strip=True)


def cards(html) -> int:
    soup = BeautifulSoup(html, "html.parser")
    return len(soup.select(".card-list > *"))


@BOTH
def test_an_unknown_value_gives_an_empty_list_and_says_so(client, case):
    html = page_of(client, f"{case.url}?{case.facet}=no-such-thing")
    assert cards(html) == 0
    html = unescape(html)
    assert f"No {case.plural} match these filters." in html
    assert case.unknown_message in html
    assert "Try fewer filters" in html and "Clear filters" in html
    assert "could not be used" not in html


@BOTH
@pytest.mark.parametrize(
    "value",
    ["%3Cscript%3E", "a%00b", "two%20words", "x" * 300, "%27%20OR%201%3D1--", "%FF%FE"],
    ids=["markup", "nul", "space", "huge", "sql", "bad-utf8"],
)
def test_a_malformed_value_is_ignored_and_named(client, case, value):
    html = page_of(client, f"{case.url}?{case.facet}={value}")
    assert "<script>" not in html
    assert "Some filters in this address could not be used" in html
    assert cards(html) == case.total, "the value is ignored: every item is listed"
    assert "Clear filters" not in html, "nothing valid filters the list"


@BOTH
# (an empty ``page=`` is dropped by a redirect first: tests/test_find_fast.py)
@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5", "9" * 5000, "99999", "%00"])
def test_a_bad_page_number_gives_a_page_of_the_list(client, case, page):
    html = page_of(client, f"{case.url}?page={page}")
    assert cards(html) == case.total


@BOTH
@pytest.mark.parametrize(
    "q",
    ["%00", "%FF", "%E2%80%AE", "x" * 5000, "%22%3E%3C", "*", "a+b+c+d+e+f+g+h+i+j"],
    ids=["nul", "bad-utf8", "rtl", "huge", "markup", "star", "letters"],
)
def test_odd_search_text_never_fails(client, case, q):
    html = page_of(client, f"{case.url}?q={q}")
    assert 'id="results-heading"' in html


@BOTH
def test_a_repeated_parameter_counts_once_the_last(client, case):
    last = page_of(client, f"{case.url}?{case.facet}={case.known}")
    repeated = page_of(client, f"{case.url}?{case.facet}=no-such-thing&{case.facet}={case.known}")
    assert count_heading(repeated) == count_heading(last)
    assert cards(repeated) == cards(last) < case.total


def test_a_malformed_year_is_ignored_and_named(client):
    for year in ("abc", "99999999999999999999", "9" * 5000, "0", "20%2024"):
        html = page_of(client, f"/publications/?year={year}")
        assert "Year: The year must be a four-digit year" in unescape(html), year
        assert cards(html) == PUBLICATIONS.total


def test_a_huge_page_number_gives_the_last_page(client):
    add_projects(25)
    first = page_of(client, PROJECTS.url)
    last = page_of(client, f"{PROJECTS.url}?page={'9' * 30}")
    assert "showing 1–20" in count_heading(first)
    assert "showing 21–28" in count_heading(last)


# --- the form and listing API, the same for both ------------------------------------------


def listing_for(case, query=""):
    request = RequestFactory().get(f"{case.url}?{query}")
    return case.listing(case.index_model.objects.get(), request)


@BOTH
def test_both_forms_share_the_filter_form_api(case):
    listing = listing_for(
        case, f"q=Health+health+a&{case.facet}={case.known}&{case.facet}=%3Cb%3E&page=2"
    )
    form = listing.form
    assert isinstance(form, FilterForm)
    assert form.params()[0] == "q" and form.params()[-1] == "page"
    assert form.data_params() == form.params()[:-1]
    assert form.query == "Health" and form.ignored_words == ["a"]
    # The last of a repeated parameter; it is malformed, so it is ignored and named.
    assert form.filters == {} and not form.unmatched
    assert len(form.notices) == 1
    assert form.notices[0].startswith(f"{form.fields[case.facet].label}: ")
    assert form.is_filtered  # by the words
    assert listing.querystring == "q=Health"
    assert form.querystring(q="") == ""

    listing = listing_for(case, f"{case.facet}={case.known}&page=2")
    assert listing.form.filters == {case.facet: case.known} and not listing.form.notices
    assert listing.querystring == f"{case.facet}={case.known}"
    assert listing.form.querystring(page=3) == f"{case.facet}={case.known}&page=3"
    assert 0 < listing.filtered.count() < case.total
    assert listing.form.apply(listing.items).count() == listing.filtered.count()


def test_the_forms_name_the_parameters_their_pages_read():
    assert ProjectFilterForm.params() == ("q", "country", "theme", "partner", "programme", "page")
    assert PublicationFilterForm.params() == ("q", "type", "topic", "year", "page")


@BOTH
def test_a_listing_queries_nothing_until_the_template_asks(case):
    index = case.index_model.objects.get()
    request = RequestFactory().get(f"{case.url}?{case.facet}={case.known}&q=health")
    with CaptureQueriesContext(connection) as captured:
        listing = case.listing(index, request)
    assert len(captured) == 0
    assert listing.page.paginator.count >= 0  # and then it does


# --- no import cycles hidden in functions -------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
OWN_MODULES = [
    "pages/listings.py",
    *(f"partnerships/{name}.py" for name in ("models", "forms", "listings", "worldmap")),
    *(f"policy/{name}.py" for name in ("models", "forms", "listings", "locks", "holdback")),
]


@pytest.mark.parametrize("module", OWN_MODULES)
def test_the_listing_modules_import_at_the_top_only(module):
    tree = ast.parse((ROOT / module).read_text())
    nested = [
        node.lineno
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert nested == [], f"{module}: imports inside functions at lines {nested}"


@pytest.mark.parametrize("module", ["partnerships/forms.py", "policy/forms.py"])
def test_the_forms_import_no_models_of_their_app(module):
    tree = ast.parse((ROOT / module).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {"partnerships.models", "policy.models"} & imported
    assert not {"partnerships.listings", "policy.listings"} & imported
