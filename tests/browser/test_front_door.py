"""A new visitor on a phone reaches THET: Get involved and the contact form, as taps.

From the home page at 390 px wide, "Start a health partnership" and the contact form
are each at most three taps away; a message sent there is in the admin's form
submissions for a comms editor, and its notification in the server's outbox (the
console backend, printed to the server's log). The new pages and the form's states
(errors, thanks) pass axe with best practices, the Nu Html Checker, and Lighthouse.
"""

import re
import urllib.request

import pytest

from tests.browser.axe import (
    REVIEW_IS_FAILURE,
    WCAG_AND_BEST_PRACTICE,
    axe_violations,
    format_violations,
)
from tests.browser.lighthouse import assert_perfect, lighthouse_scores
from tests.browser.test_html_validity import nu_errors
from tests.servers import copy_site, running_site

pytestmark = pytest.mark.browser

PHONE = 390
NOTIFY = "enquiries@example.org"
MESSAGE = "Our hospital in Leeds would like to start a health partnership."
NEW_PAGES = (
    "/get-involved/",
    "/get-involved/start-a-health-partnership/",
    "/contact/",
    "/privacy/",
    "/accessibility/",
)

MAKE_COMMS_EDITOR = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user = get_user_model().objects.create_user("comms-browser", "c@example.org", "{password}")
user.groups.add(Group.objects.get(name="Comms editors"))
"""
CONTACT_PAGE_ID = """
from pages.models import ContactPage
print(ContactPage.objects.get().pk)
"""


@pytest.fixture(scope="module")
def live_site(_seeded_site):
    """This module's own server, printing email to its log (Django's console backend)."""
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "CONTACT_NOTIFY_EMAIL": NOTIFY,
    }
    with copy_site(_seeded_site) as prepared, running_site(prepared=prepared, env=env) as site:
        yield site


def server_html(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our server
        return response.read().decode()


class Taps:
    """Counts what a visitor taps."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def tap(self, locator):
        locator.tap()
        self.count += 1


@pytest.fixture
def phone(browser, site_server):
    context = browser.new_context(
        viewport={"width": PHONE, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.goto(site_server + "/")
    yield page
    context.close()


def test_start_a_partnership_in_three_taps(phone):
    taps = Taps(phone)
    taps.tap(phone.get_by_text("Menu", exact=True))
    menu = phone.locator(".main-nav__toggle")
    taps.tap(menu.get_by_role("link", name="Get involved"))
    taps.tap(phone.locator("main").get_by_role("link", name="Start a health partnership").first)
    phone.wait_for_url(re.compile(r"/get-involved/start-a-health-partnership/$"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Start a health partnership"
    assert taps.count <= 3


def test_start_a_partnership_from_the_home_page_body_in_one_tap(phone):
    taps = Taps(phone)
    taps.tap(phone.locator("main").get_by_role("link", name="Find out how"))
    phone.wait_for_url(re.compile(r"/get-involved/start-a-health-partnership/$"))
    assert taps.count == 1


def test_a_message_reaches_the_admin_and_the_outbox(phone, live_site, site_server, new_page):
    taps = Taps(phone)
    taps.tap(phone.get_by_text("Menu", exact=True))
    taps.tap(phone.locator(".main-nav__toggle").get_by_role("link", name="Contact"))
    phone.wait_for_url(re.compile(r"/contact/$"))
    assert taps.count <= 3
    phone.get_by_label("Your name").fill("Grace Mensah")
    phone.get_by_label("Email address").fill("grace@example.org")
    phone.get_by_label("Your message").fill(MESSAGE)
    phone.get_by_label("I agree").check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send message").tap()
    assert phone.get_by_role("heading", level=1).inner_text() == "Message sent"

    log = live_site.log_tail(20_000)
    assert f"To: {NOTIFY}" in log and MESSAGE in log and "Reply-To: grace@example.org" in log

    password = "a-long-browser-test-password"  # noqa: S105 - a throwaway test account
    live_site.manage("shell", "-c", MAKE_COMMS_EDITOR.format(password=password))
    page_id = live_site.manage("shell", "-c", CONTACT_PAGE_ID).stdout.strip().splitlines()[-1]
    admin = new_page(width=1280)
    admin.goto(site_server + "/admin/login/")
    admin.get_by_label("Username").fill("comms-browser")
    admin.get_by_label("Password").fill(password)
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url(re.compile(r"/admin/$"))
    admin.goto(f"{site_server}/admin/forms/submissions/{page_id}/")
    assert MESSAGE in admin.locator("main").inner_text()


def test_the_form_refuses_a_missing_consent_with_a_clear_message(new_page, site_server):
    page = new_page(width=PHONE)
    page.goto(site_server + "/contact/")
    page.get_by_label("Your name").fill("No Consent")
    page.get_by_label("Email address").fill("n@example.org")
    page.get_by_label("Your message").fill("Hello")
    with page.expect_navigation():
        page.get_by_role("button", name="Send message").click()
    alert = page.get_by_role("alert")
    assert "Your message was not sent" in alert.inner_text()
    assert page.locator(".contact-form__trap input").is_hidden()


def _send(page):
    """Press Send; the server's own HTML of the answer (for the Nu checker)."""
    with (
        page.expect_navigation(),
        page.expect_response(lambda r: r.request.method == "POST") as answer,
    ):
        page.get_by_role("button", name="Send message").click()
    return answer.value.text()


def _form_states(page, site_server):
    """The contact page after a refused post, and the thanks after a sent one, as HTML."""
    page.goto(site_server + "/contact/")
    refused = _send(page)
    axe_refused = axe_violations(page, WCAG_AND_BEST_PRACTICE, REVIEW_IS_FAILURE)
    page.get_by_label("Your name").fill("Axe Tester")
    page.get_by_label("Email address").fill("axe@example.org")
    page.get_by_label("Your message").fill("Checking the thanks page.")
    page.get_by_label("I agree").check()
    thanks = _send(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Message sent"
    axe_thanks = axe_violations(page, WCAG_AND_BEST_PRACTICE, REVIEW_IS_FAILURE)
    return {"refused": (refused, axe_refused), "thanks": (thanks, axe_thanks)}


def test_new_pages_and_form_states_pass_axe_and_the_nu_checker(new_page, site_server, tmp_path):
    page = new_page(width=1280)
    problems, files = [], {}
    for width in (1280, PHONE):
        page.set_viewport_size({"width": width, "height": 800})
        for url in NEW_PAGES:
            response = page.goto(site_server + url)
            assert response.status == 200, url
            violations = axe_violations(page, WCAG_AND_BEST_PRACTICE, REVIEW_IS_FAILURE)
            if violations:
                problems.append(f"{url} at {width}px:\n{format_violations(violations)}")
            files[url] = server_html(site_server + url)
    for state, (html, violations) in _form_states(page, site_server).items():
        if violations:
            problems.append(f"contact form, {state}:\n{format_violations(violations)}")
        files[f"contact form, {state}"] = html
    paths = {}
    for number, (name, html) in enumerate(files.items()):
        path = tmp_path / f"page-{number:03d}.html"
        path.write_text(html)
        paths[path.name] = name
    for message in nu_errors([tmp_path / name for name in paths]):
        name = message.get("url", "?").rsplit("/", 1)[-1]
        problems.append(f"Nu: {paths.get(name, name)}: {message['message']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/get-involved/start-a-health-partnership/", "/contact/"])
def test_new_pages_score_100_in_lighthouse(site_server, path):
    assert_perfect(lighthouse_scores(site_server + path))
