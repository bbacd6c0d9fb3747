"""Accessibility in a real browser: axe-core (WCAG 2.0/2.1/2.2 A and AA) and the keyboard."""

import pytest

from tests.browser.axe import axe_violations, format_violations

pytestmark = pytest.mark.browser


def test_home_page_has_no_axe_violations(page, site_server):
    response = page.goto(site_server + "/")
    assert response.status == 200
    assert page.locator("h1").count() == 1
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def test_skip_link_is_the_first_thing_tab_reaches(page, site_server):
    page.goto(site_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent.trim(), "
        "document.activeElement.getAttribute('href')]"
    )
    assert focused == ["Skip to main content", "#main"]
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
