"""Nothing an editor does is lost, and no daily job needs a developer: in a real browser.

1. A comms editor changes the main menu; visitors see it at once.
2. The seeded home page's first version is restored from its history in three clicks.
3. A new page started and abandoned leaves nothing behind, and its empty form does not
   say "Autosave is paused".
4. A moderator's approval lands on the dashboard, not on "Sorry, you do not have
   permission".
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_editorial_flows import choose_footer_action, log_in, make_user, site_shell

pytestmark = pytest.mark.browser

FORBIDDEN = "Sorry, you do not have permission"


def home_id(live_site):
    return site_shell(
        live_site, "from pages.models import HomePage\nprint(HomePage.objects.get().pk)"
    )


def test_comms_editor_changes_the_menu_and_visitors_see_it(live_site, site_server, new_page):
    make_user(live_site, "cleo", "Comms editors")
    label = f"Our new name {uuid.uuid4().hex[:4]}"
    visitor = new_page()
    visitor.goto(site_server + "/")  # the page is now cached
    expect(visitor.locator("nav").first).not_to_contain_text(label)

    editor = new_page()
    log_in(editor, site_server, "cleo")
    editor.get_by_role("button", name="Settings").click()
    editor.get_by_role("link", name="Main menu").click()
    expect(editor.locator("body")).not_to_contain_text(FORBIDDEN)
    editor.get_by_role("button", name="Insert a block").first.click()
    block = editor.locator("[data-contentpath='items'] [data-contentpath='url'] input").last
    block.fill("https://www.globalhealthpartnerships.org/")
    editor.locator("[data-contentpath='items'] [data-contentpath='label'] input").last.fill(label)
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator(".messages")).to_contain_text("updated")

    visitor.goto(site_server + "/")
    link = visitor.get_by_role("link", name=label).first
    expect(link).to_have_attribute("href", "https://www.globalhealthpartnerships.org/")
    site_shell(live_site, "from pages.models import MainMenu\nMainMenu.objects.all().delete()")


def test_seeded_home_pages_first_version_is_restored_in_three_clicks(
    live_site, site_server, new_page
):
    make_user(live_site, "cleo", "Comms editors")
    pk = home_id(live_site)
    original = site_shell(
        live_site, "from pages.models import HomePage\nprint(HomePage.objects.get().headline)"
    )
    editor = new_page()
    log_in(editor, site_server, "cleo")
    editor.goto(f"{site_server}/admin/pages/{pk}/edit/")
    editor.get_by_role("textbox", name="Headline").fill("A headline to be undone")
    choose_footer_action(editor, "Publish")
    expect(editor.locator(".messages")).to_contain_text("published")

    editor.goto(f"{site_server}/admin/pages/{pk}/history/")
    first_row = editor.locator("main table tbody tr").filter(has_text="Published").last
    first_row.get_by_role("button", name="Actions").click()  # 1
    first_row.get_by_role("link", name="Review this version").click()  # 2
    expect(editor.get_by_role("textbox", name="Headline")).to_have_value(original)
    editor.get_by_role("button", name="Publish this version").click()  # 3
    expect(editor.locator(".messages")).to_contain_text("published")

    visitor = new_page()
    visitor.goto(site_server + "/")
    expect(visitor.locator("h1")).to_contain_text(original)


def test_an_abandoned_new_page_leaves_nothing(live_site, site_server, new_page):
    make_user(live_site, "cleo", "Comms editors")
    pk = home_id(live_site)
    title = f"Half-started page {uuid.uuid4().hex[:6]}"
    editor = new_page()
    log_in(editor, site_server, "cleo")
    editor.goto(f"{site_server}/admin/pages/add/pages/contentpage/{pk}/")
    expect(editor.get_by_text("Autosave is paused")).to_be_hidden()
    editor.get_by_role("textbox", name="Title").first.press_sequentially(title)
    editor.get_by_role("textbox", name="Introduction").press_sequentially("Started, then left.")
    editor.wait_for_timeout(6000)  # well past Wagtail's autosave interval (0.5 s)
    expect(editor.get_by_text("Autosave is paused")).to_be_hidden()
    editor.on("dialog", lambda dialog: dialog.accept())  # "leave without saving?"
    editor.goto(f"{site_server}/admin/pages/{pk}/")
    expect(editor.locator("main")).not_to_contain_text(title)
    count = site_shell(
        live_site,
        f"from wagtail.models import Page\nprint(Page.objects.filter(title={title!r}).count())",
    )
    assert count == "0"


def test_a_moderators_approval_lands_without_an_error(live_site, site_server, new_page):
    make_user(live_site, "pia", "Policy team")
    make_user(live_site, "max", "Moderators")
    title = f"Sign-off landing {uuid.uuid4().hex[:6]}"
    site_shell(
        live_site,
        "import datetime\n"
        "from django.contrib.auth import get_user_model\n"
        "from policy.models import PublicationIndexPage, PublicationPage, PublicationType\n"
        "author = get_user_model().objects.get(username='pia')\n"
        "index = PublicationIndexPage.objects.get()\n"
        f"page = PublicationPage(title={title!r}, slug={title.lower().replace(' ', '-')!r}, "
        "live=False, publication_date=datetime.date(2026, 3, 1), summary='For sign-off.', "
        "publication_type=PublicationType.objects.get(slug='briefing'))\n"
        "index.add_child(instance=page)\n"
        "page.save_revision(user=author)\n"
        "page.get_workflow().start(page, author)\n"
        "print(page.pk)",
    )
    moderator = new_page()
    log_in(moderator, site_server, "max")
    moderator.get_by_role("link", name=title).first.click()
    choose_footer_action(moderator, "Approve and Publish")
    expect(moderator.locator(".messages")).to_contain_text("updated")
    expect(moderator).to_have_url(re.compile(r"/admin/$"))
    expect(moderator.locator("body")).not_to_contain_text(FORBIDDEN)
    site_shell(
        live_site,
        "from policy.models import PublicationPage\n"
        f"PublicationPage.objects.filter(title={title!r}).delete()",
    )


def test_sidebar_labels_fit_without_being_cut(live_site, site_server, new_page):
    """Every sidebar entry a comms editor sees reads in full (no "Countries, the…")."""
    make_user(live_site, "cleo", "Comms editors")
    editor = new_page()
    log_in(editor, site_server, "cleo")
    labels = editor.locator(".sidebar .menuitem-label")
    expect(labels.first).to_be_visible()
    expect(editor.get_by_role("link", name="Help")).to_be_visible()
    cut = editor.evaluate(
        "() => [...document.querySelectorAll('.sidebar .menuitem-label')]"
        ".filter((label) => label.scrollWidth > label.clientWidth)"
        ".map((label) => label.textContent.trim())"
    )
    assert cut == []
    editor.get_by_role("link", name="Help").click()
    expect(editor.get_by_role("heading", name="Restore an earlier version")).to_be_visible()


def test_creating_a_country_in_place_asks_and_an_unknown_one_says_why(
    live_site, site_server, new_page
):
    make_user(live_site, "cleo", "Comms editors")
    project = site_shell(
        live_site,
        "from partnerships.models import ProjectPage\nprint(ProjectPage.objects.first().pk)",
    )
    editor = new_page()
    log_in(editor, site_server, "cleo")
    editor.goto(f"{site_server}/admin/pages/{project}/edit/")
    field = editor.locator("[data-autocomplete-input-type='partnerships.Country']")
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    editor.on("dialog", answer)
    field.locator("input:not([type=hidden])").first.fill("Keny")
    field.get_by_role("option", name=re.compile("Create new")).click()
    expect(field.get_by_role("alert")).to_contain_text("Did you mean Kenya?")
    assert questions and "Create a new country “Keny”?" in questions[0]
    expect(field).not_to_contain_text("Failed to create")
    # A chosen item is not drawn in the error red the package uses.
    chosen = field.locator(".c-wagtailautocomplete__selection").first
    colour = chosen.evaluate("(item) => getComputedStyle(item).backgroundColor")
    assert colour != "rgb(255, 126, 119)"
