"""Browser-test fixtures: one Chromium per session, one production-mode site per module.

    def test_something(page, site_server):
        page.goto(site_server + "/about/")

`live_site` is the running site (one server per test module, each on its own copy of the
seeded database): `.url`, `.manage(...)` to run manage.py commands against its database,
`.env`. The browser is Debian's /usr/bin/chromium driven by Playwright; without it the
tests fail and say how to install it.
"""

import os
from pathlib import Path

import pytest

from tests.servers import copy_site, prepare_site, running_site

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
]
INSTALL_HINT = (
    "run `.ci/system-packages` (or, as root, `apt-get update && apt-get install -y chromium`); "
    "never `playwright install`"
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _seeded_site():
    """Migrated, seeded database and collected static files, prepared once per session."""
    with prepare_site() as prepared:
        yield prepared


@pytest.fixture(scope="module")
def live_site(_seeded_site):
    """The site in production mode on a free port. Each test module gets its own server
    and its own copy of the seeded database, so a module that edits content (the admin
    flows) never changes what another module sees."""
    with copy_site(_seeded_site) as prepared, running_site(prepared=prepared) as site:
        yield site


@pytest.fixture(scope="module")
def site_server(live_site):
    """The base URL of `live_site`, e.g. http://127.0.0.1:40123 (no trailing slash)."""
    return live_site.url


@pytest.fixture(scope="session")
def _playwright():
    try:
        # Here, not at the top: without the package, only the browser tests stop, with
        # a line saying what to install.
        from playwright.sync_api import sync_playwright  # noqa: PLC0415
    except ImportError:  # pragma: no cover - requirements.txt pins it
        pytest.fail("The playwright package is missing: `make install`.", pytrace=False)
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    """Debian's Chromium, headless; one instance for the whole session."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: {INSTALL_HINT}.", pytrace=False)
    browser = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser):
    """A factory for pages in fresh contexts: `new_page(width=360)`."""
    contexts = []

    def make(width=1280, height=800, **options):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="en-GB", **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page in a fresh browser context (no cookies), 1280 × 800."""
    return new_page()
