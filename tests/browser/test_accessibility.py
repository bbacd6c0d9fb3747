"""Accessibility and layout in a real browser, on every page of the seeded site.

axe-core (WCAG 2.0/2.1/2.2, levels A and AA, and its best practices, with duplicate ids
that aria-labelledby points at) must find nothing; the keyboard reaches the
skip link first and then the main menu; the menu works at phone width without JavaScript;
no page scrolls sideways at 320, 768 or 1280 px.
"""

import json

import pytest

from tests.browser.axe import (
    REVIEW_IS_FAILURE,
    WCAG_AND_BEST_PRACTICE,
    axe_violations,
    format_violations,
)

pytestmark = pytest.mark.browser

WIDTHS = (1280, 768, 360, 320)
AXE_WIDTHS = (1280, 360)

LIST_PAGES = """
import json
from wagtail.models import Page
from partnerships.models import Country
urls = [p.url for p in Page.objects.live().public().filter(depth__gte=2)]
country = Country.objects.filter(projects__live=True).order_by("name").first()
print(json.dumps({"urls": urls, "country": country.pk if country else ""}))
"""


@pytest.fixture(scope="module")
def seeded_urls(live_site):
    """Every live page of the seeded tree, plus search results and a filtered listing."""
    found = json.loads(live_site.manage("shell", "-c", LIST_PAGES).stdout.strip().splitlines()[-1])
    urls = found["urls"]
    assert "/" in urls and "/our-work/projects/" in urls and len(urls) >= 10, urls
    return [
        *urls,
        "/search/?q=health",
        f"/our-work/projects/?country={found['country']}",
        "/our-work/projects/?country=nepal",  # with "Latest from Nepal"
        "/search/?q=earthquake",
        "/publications/?type=report&topic=diaspora",
        "/publications/?type=no-such-type",
        NOT_FOUND,
    ]


NOT_FOUND = "/no-such-page/"


def _horizontal_overflow(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_every_page_passes_axe_and_fits_every_width(new_page, site_server, seeded_urls):
    """One browser page walks the whole site (faster than a fresh page per URL); each page
    is checked at several widths by resizing the viewport, without reloading."""
    page = new_page(width=1280)
    problems = []
    for url in seeded_urls:
        page.set_viewport_size({"width": 1280, "height": 800})
        response = page.goto(site_server + url)
        if response.status != (404 if url == NOT_FOUND else 200):
            problems.append(f"{url}: HTTP {response.status}")
            continue
        h1s = page.locator("h1").count()
        if h1s != 1:
            problems.append(f"{url}: {h1s} h1 elements")
        levels = page.evaluate(
            "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])"
        )
        skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        if skips or levels[:1] != [1]:
            problems.append(f"{url}: headings out of order {levels}")
        if page.get_attribute("html", "lang") != "en-GB":
            problems.append(f"{url}: <html lang> is not en-GB")
        for landmark in ("header", "nav", "main", "footer"):
            if page.locator(landmark).count() == 0:
                problems.append(f"{url}: no <{landmark}> landmark")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            if width in AXE_WIDTHS:  # the wide layout and the phone layout (menu closed)
                violations = axe_violations(page, WCAG_AND_BEST_PRACTICE, REVIEW_IS_FAILURE)
                if violations:
                    problems.append(
                        f"{url} at {width}px: axe-core found\n{format_violations(violations)}"
                    )
            overflow = _horizontal_overflow(page)
            if overflow > 0:
                problems.append(f"{url}: scrolls sideways by {overflow}px at {width}px wide")
    assert not problems, "\n".join(problems)


def _focused(page):
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return {text: el.textContent.trim().replace(/\\s+/g, " "),
                  href: el.getAttribute("href"),
                  tag: el.tagName.toLowerCase(),
                  inMainNav: !!el.closest('nav[aria-label="Main"]'),
                  outline: getComputedStyle(el).outlineStyle,
                  shadow: getComputedStyle(el).boxShadow};
        }"""
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_tab_reaches_skip_link_first_then_the_menu(new_page, site_server, width):
    page = new_page(width=width)
    page.goto(site_server + "/about/")
    page.keyboard.press("Tab")
    first = _focused(page)
    assert (first["text"], first["href"]) == ("Skip to main content", "#main")
    assert page.locator("a.skip-link").is_visible(), "the skip link must show when focused"
    page.keyboard.press("Tab")
    second = _focused(page)
    assert second["inMainNav"], f"second Tab went to {second}, not the main menu"
    # A visible focus indicator on what has focus.
    assert second["outline"] != "none" or second["shadow"] != "none"


def test_skip_link_moves_focus_to_main_content(page, site_server):
    page.goto(site_server + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_menu_opens_and_works_by_keyboard_at_360px(new_page, site_server):
    page = new_page(width=360, height=740, java_script_enabled=False)
    page.goto(site_server + "/")
    menu = page.get_by_role("navigation", name="Main")
    links = menu.get_by_role("link", name="Publications")
    assert not links.is_visible(), "at 360px the menu starts closed"
    # Tab: skip link, home link, then the menu button.
    for _ in range(3):
        page.keyboard.press("Tab")
    toggle = _focused(page)
    assert toggle["text"].startswith("Menu"), toggle
    page.keyboard.press("Enter")
    assert links.is_visible(), "Enter on the menu button opens the menu"
    box = links.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    # Tab on through the open menu to Publications and follow it.
    for _ in range(10):
        page.keyboard.press("Tab")
        if _focused(page)["text"] == "Publications":
            break
    else:
        pytest.fail("Tab never reached the Publications link in the open menu")
    page.keyboard.press("Enter")
    page.wait_for_url("**/publications/")
    assert page.locator("h1").inner_text() == "Publications"


STATISTIC_PAGES = (
    "/",
    "/about/",
    "/our-work/health-partnership-scheme/",
    "/publications/general-election-2024-briefing/",
    "/publications/experts-in-our-midst/",
)

# For each statistic's figure: how many lines its text takes, and whether it overflows
# its own box or the statistic's.
_FIGURE_LINES = """() => [...document.querySelectorAll('.statistic__figure')].map((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
  const text = range.getBoundingClientRect();
  const box = el.closest('.statistic').getBoundingClientRect();
  return {figure: el.textContent.trim(), lines: lines.size,
          overflow: Math.max(el.scrollWidth - el.clientWidth, text.right - box.right + 1, 0)};
})"""


@pytest.mark.parametrize("width", [320, 768, 1280])
def test_every_statistic_stays_on_one_line(new_page, site_server, width):
    """ "430,000" wrapped as "430,00" / "0" in a three-column row at 1280 px."""
    page = new_page(width=width)
    problems, seen = [], 0
    for url in STATISTIC_PAGES:
        page.goto(site_server + url)
        for figure in page.evaluate(_FIGURE_LINES):
            seen += 1
            if figure["lines"] != 1 or figure["overflow"] > 0:
                problems.append(f"{url} at {width}px: {figure}")
    assert seen >= 30, seen
    assert not problems, "\n".join(problems)
