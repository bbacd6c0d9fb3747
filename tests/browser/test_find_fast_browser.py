"""Finding things fast, in a real browser: the header's search box without JavaScript,
Escape closing the phone menu, and a filtered listing opening at its result count with
the results before the map on a phone. Lighthouse on the news listing and a story."""

import pytest

from tests.browser.lighthouse import assert_perfect, lighthouse_scores

pytestmark = pytest.mark.browser

PHONE = 360
STORY = "/news/health-partnership-volunteers-nepal-earthquake/"


@pytest.mark.parametrize("path", ["/", "/about/", STORY, "/publications/experts-in-our-midst/"])
def test_the_header_search_box_works_without_javascript(new_page, site_server, path):
    for width in (1280, PHONE):
        page = new_page(width=width, java_script_enabled=False)
        page.goto(site_server + path)
        box = page.get_by_role("search", name="Site search").get_by_label("Search the site")
        assert box.is_visible()
        box.fill("earthquake")
        box.press("Enter")
        page.wait_for_url("**/search/?q=earthquake")
        assert page.locator(f'.results a[href="{STORY}"]').count() == 1


def test_escape_closes_the_phone_menu(new_page, site_server):
    page = new_page(width=PHONE)
    page.goto(site_server + "/about/")
    summary = page.locator("details.main-nav__toggle > summary")
    summary.focus()
    page.keyboard.press("Enter")
    menu = page.locator("details.main-nav__toggle")
    assert menu.evaluate("d => d.open") is True
    assert page.locator("details.main-nav__toggle .main-nav__list").is_visible()
    # From a link inside the open menu, as a keyboard user would be.
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert menu.evaluate("d => d.open") is False
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    # Escape with the menu closed changes nothing.
    page.keyboard.press("Escape")
    assert menu.evaluate("d => d.open") is False


def test_a_filtered_listing_opens_at_the_result_count_with_results_before_the_map(
    new_page, site_server
):
    page = new_page(width=PHONE, height=740)
    page.goto(site_server + "/our-work/projects/")
    page.get_by_label("Country").select_option(value="nepal")
    page.get_by_role("button", name="Show projects").click()
    page.wait_for_url("**/our-work/projects/?country=nepal#results")  # empty fields dropped
    count = page.locator("#results-heading")
    assert "1 project matches your filters" in count.inner_text()
    # The page opens at the count: it is at the top of the screen, not below the form.
    box = count.bounding_box()
    assert 0 <= box["y"] < 200, box
    results = page.locator("#results").bounding_box()
    the_map = page.locator("#map-heading").bounding_box()
    assert results["y"] < the_map["y"]
    assert page.get_by_role("heading", name="Latest from Nepal").count() == 1


@pytest.mark.parametrize("path", ["/news/", STORY])
def test_news_pages_score_100_in_lighthouse(site_server, path):
    assert_perfect(lighthouse_scores(site_server + path))
