"""The two daily editorial jobs, end to end in a real browser against the real site.

1. A comms editor logs in, changes the home page's headline, previews it, publishes it
   and sees it live.
2. A policy-team member creates a publication with a PDF and submits it for sign-off; a
   moderator approves it; it appears on the site with its download.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password-1234"  # noqa: S105 - a throwaway test account


def site_shell(live_site, code):
    """Run Python in the site's own environment; returns what it printed last."""
    out = live_site.manage("shell", "-v", "0", "-c", code).stdout.strip()
    return out.splitlines()[-1] if out else ""


def make_user(live_site, username, group):
    site_shell(
        live_site,
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Group\n"
        f"u, _ = get_user_model().objects.get_or_create(username={username!r}, "
        f"defaults={{'email': '{username}@example.org', 'first_name': {username.title()!r}}})\n"
        f"u.set_password({PASSWORD!r}); u.save()\n"
        f"u.groups.add(Group.objects.get(name={group!r}))\n"
        "print(u.pk)",
    )
    return username


def sign_in_with_password(page, base, username):
    page.goto(base + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def log_in(page, base, username):
    sign_in_with_password(page, base, username)
    expect(page).to_have_url(re.compile(r"/admin/$"))


def choose_footer_action(page, name):
    """Buttons after the first in the editor's footer sit in a 'More actions' menu."""
    button = page.get_by_role("button", name=name, exact=True)
    if not button.is_visible():
        page.get_by_role("button", name="More actions").click()
    button.click()


@pytest.fixture
def restore_home_headline(live_site):
    """The live site is shared by the session's browser tests: put the headline back."""
    before = site_shell(
        live_site, "from pages.models import HomePage\nprint(HomePage.objects.get().headline)"
    )
    yield
    site_shell(
        live_site,
        "from pages.models import HomePage\n"
        "home = HomePage.objects.get()\n"
        f"home.headline = {before!r}\n"
        "home.save_revision().publish()",
    )


@pytest.fixture
def remove_test_publications(live_site):
    """Other browser tests count publications: remove the ones these tests add."""
    yield
    site_shell(
        live_site,
        "from policy.models import PublicationPage\n"
        "from wagtail.documents import get_document_model\n"
        "for page in PublicationPage.objects.filter(slug__startswith='workforce-briefing-'):\n"
        "    page.delete()\n"
        "get_document_model().objects.filter(title__startswith='Briefing PDF ').delete()",
    )


def test_comms_editor_changes_the_headline_previews_and_publishes(
    live_site, site_server, new_page, restore_home_headline
):
    make_user(live_site, "carol", "Comms editors")
    home_id = site_shell(
        live_site, "from pages.models import HomePage\nprint(HomePage.objects.get().pk)"
    )
    headline = f"Health workers learning together {uuid.uuid4().hex[:6]}"

    editor = new_page()
    log_in(editor, site_server, "carol")
    editor.goto(f"{site_server}/admin/pages/{home_id}/edit/")
    editor.get_by_role("textbox", name="Headline").fill(headline)

    # Preview: the side panel shows the unsaved headline in the page itself.
    editor.locator('[data-side-panel-toggle="preview"]').click()
    preview = editor.frame_locator("#w-preview-iframe")
    expect(preview.locator("body")).to_contain_text(headline, timeout=20_000)

    # Not live until published.
    visitor = new_page()
    visitor.goto(site_server + "/")
    expect(visitor.locator("body")).not_to_contain_text(headline)

    choose_footer_action(editor, "Publish")
    expect(editor.locator(".messages")).to_contain_text("published")

    visitor.goto(site_server + "/")
    expect(visitor.locator("h1, .hero, main").first).to_be_visible()
    expect(visitor.locator("body")).to_contain_text(headline)


def test_policy_publication_is_signed_off_by_a_moderator_then_live(
    live_site, site_server, new_page, tmp_path, remove_test_publications
):
    make_user(live_site, "priya", "Policy team")
    make_user(live_site, "mo", "Moderators")
    index_id = site_shell(
        live_site,
        "from policy.models import PublicationIndexPage\n"
        "print(PublicationIndexPage.objects.get().pk)",
    )
    suffix = uuid.uuid4().hex[:6]
    title = f"Workforce briefing {suffix}"
    pdf = tmp_path / f"workforce-briefing-{suffix}.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # The policy-team member writes the publication and attaches the PDF.
    writer = new_page()
    log_in(writer, site_server, "priya")
    writer.goto(f"{site_server}/admin/pages/add/policy/publicationpage/{index_id}/")
    writer.get_by_role("textbox", name="Title").first.fill(title)
    # Publication types are snippets, picked in a chooser.
    writer.get_by_role("button", name="Choose publication type").click()
    writer.locator(".modal-dialog").get_by_role("link", name="Briefing", exact=True).click()
    expect(writer.locator(".modal-dialog")).to_have_count(0)
    date = writer.get_by_role("textbox", name="Publication date")
    date.fill("2026-03-01")
    date.press("Escape")  # close the date picker
    expect(date).to_have_value("2026-03-01")
    expect(writer.locator('input[name="publication_type"]')).not_to_have_value("")
    summary = "What the spending review means for health workers."
    writer.get_by_role("textbox", name="Summary").fill(summary)
    writer.get_by_role("button", name="Choose a document").click()
    modal = writer.locator(".modal-dialog")
    modal.get_by_role("tab", name="Upload").click()
    modal.get_by_label("Title").fill(f"Briefing PDF {suffix}")
    modal.locator('input[type="file"]').set_input_files(str(pdf))
    modal.get_by_role("button", name="Upload").click()
    expect(writer.locator("body")).to_contain_text(f"Briefing PDF {suffix}")
    expect(writer.locator('input[name="document"]')).not_to_have_value("")

    choose_footer_action(writer, "Submit to Policy sign-off")
    # Wait for the page after the submit before reading it (reading during the
    # navigation raced: "Execution context was destroyed").
    expect(writer.locator(".messages")).to_contain_text("submitted")
    errors = writer.locator(".error-message").all_inner_texts()
    assert errors == [], errors

    visitor = new_page()
    slug = f"workforce-briefing-{suffix}"
    response = visitor.goto(f"{site_server}/publications/{slug}/")
    assert response.status == 404  # not live before sign-off

    # The moderator finds it on the dashboard and approves it.
    moderator = new_page()
    log_in(moderator, site_server, "mo")
    expect(moderator.locator("body")).to_contain_text(title)
    moderator.get_by_role("link", name=title).first.click()
    choose_footer_action(moderator, "Approve and Publish")
    expect(moderator.locator(".messages")).to_contain_text(f"'{title}' has been updated")

    response = visitor.goto(f"{site_server}/publications/")
    expect(visitor.locator("main")).to_contain_text(title)
    response = visitor.goto(f"{site_server}/publications/{slug}/")
    assert response.status == 200
    download = visitor.locator("main a[href*='/documents/']").first
    expect(download).to_be_visible()
    pdf_response = visitor.request.get(site_server + download.get_attribute("href"))
    assert pdf_response.status == 200
    assert pdf_response.body().startswith(b"%PDF")


def test_content_checker_flags_a_statistic_without_a_source(live_site, site_server, new_page):
    """The userbar's checker, run by Wagtail in the browser, reports our own check."""
    make_user(live_site, "carol", "Comms editors")
    # Every seeded statistic has its source: add one without.
    site_shell(
        live_site,
        "from partnerships.models import ProjectPage\n"
        "page = ProjectPage.objects.get(slug='violence-aggression-management-tanzania')\n"
        "page.body.append(('statistics', {'heading': '', 'statistics': "
        "[{'figure': '42', 'label': 'nurses trained'}]}))\n"
        "page.save_revision().publish()",
    )
    editor = new_page()
    log_in(editor, site_server, "carol")
    editor.goto(site_server + "/our-work/projects/violence-aggression-management-tanzania/")
    editor.locator("#wagtail-userbar-trigger").click()
    editor.get_by_role("menuitem", name=re.compile("Checks")).click()
    names = editor.locator("[data-content-checker-name]")
    expect(names.first).to_be_visible(timeout=20_000)
    assert "Statistic without a source" in names.all_inner_texts()
