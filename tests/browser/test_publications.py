"""The publications listing in a real browser: every state of the filter form passes
axe-core, and filtering works with JavaScript off (a plain GET form)."""

import pytest

from tests.browser.axe import axe_violations, format_violations

pytestmark = pytest.mark.browser

STATES = [
    "/publications/?type=report",  # filtered, with a Clear filters link
    "/publications/?type=nonsense&year=abc",  # notices for ignored values
    "/publications/?year=1990",  # nothing matches
    "/publications/?q=diaspora",
]


def test_every_listing_state_passes_axe(new_page, site_server):
    page = new_page(width=1280)
    problems = []
    for url in STATES:
        assert page.goto(site_server + url).status == 200, url
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 800})
            violations = axe_violations(page)
            if violations:
                problems.append(f"{url} at {width}px:\n{format_violations(violations)}")
    assert not problems, "\n".join(problems)


def test_filter_without_javascript(new_page, site_server):
    page = new_page(width=1280, java_script_enabled=False)
    page.goto(site_server + "/publications/")
    page.get_by_label("Type").select_option(label="Briefing")
    page.get_by_role("button", name="Show publications").click()
    page.wait_for_url("**/publications/?*type=briefing*")
    # Other browser tests share this site and may add publications: check by kind.
    kickers = page.locator(".publication-teaser .card__kicker").all_inner_texts()
    assert kickers and all(k.upper().startswith("BRIEFING") for k in kickers), kickers
    titles = page.locator(".publication-teaser h3").all_inner_texts()
    assert "General Election 2024 Briefing" in titles
    assert "Experts in Our Midst" not in " ".join(titles)
    page.get_by_role("link", name="Clear filters").click()
    titles = " ".join(page.locator(".publication-teaser h3").all_inner_texts())
    assert "Experts in Our Midst" in titles
