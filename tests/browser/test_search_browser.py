"""Search and the 404 page in a real browser: no axe violations; the plain form works."""

import pytest

from tests.browser.axe import axe_violations, format_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path",
    ["/search/", "/search/?q=health", "/search/?q=quidditch", "/search/?q=health&kind=projects"],
)
def test_search_pages_have_no_axe_violations(page, site_server, path):
    response = page.goto(site_server + path)
    assert response.status == 200
    assert page.locator("h1").count() == 1
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def test_404_search_box_finds_the_page(page, site_server):
    response = page.goto(site_server + "/old-site/colposcopy-nepal/")
    assert response.status == 404
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    # (the header's own box, on every page, is "Search the site")
    field = page.get_by_role("searchbox", name="Search for the page")
    assert field.input_value() == "colposcopy nepal"
    field.press("Enter")
    page.wait_for_url("**/search/?q=colposcopy+nepal")
    first = page.locator("main ol li h3 a").first
    assert "colposcopy" in first.inner_text().lower()
