"""In a real browser: launches nobody can get wrong, and the comms team's own tools.

1. A policy officer dates a publication next month and submits it; a moderator sees the
   planned launch and approves it today; page and PDF stay hidden until the date and
   appear after it (time travel, through `publish_scheduled` run at the launch).
2. A moderator asks for changes with a comment; the author sees it where they land.
3. A comms editor pins a page for a search term (Promoted search results).
"""

import datetime
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_editorial_flows import (
    choose_footer_action,
    log_in,
    make_user,
    remove_test_publications,  # noqa: F401 (fixture)
    site_shell,
)

pytestmark = pytest.mark.browser


def publication_via_admin(live_site, site_server, new_page, tmp_path, date):
    """A policy officer writes a publication dated ``date`` with a PDF and submits it."""
    make_user(live_site, "priya", "Policy team")
    index_id = site_shell(
        live_site,
        "from policy.models import PublicationIndexPage\n"
        "print(PublicationIndexPage.objects.get().pk)",
    )
    suffix = uuid.uuid4().hex[:6]
    title = f"Workforce briefing {suffix}"
    pdf = tmp_path / f"workforce-briefing-{suffix}.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    writer = new_page()
    log_in(writer, site_server, "priya")
    writer.goto(f"{site_server}/admin/pages/add/policy/publicationpage/{index_id}/")
    writer.get_by_role("textbox", name="Title").first.fill(title)
    writer.get_by_role("button", name="Choose publication type").click()
    writer.locator(".modal-dialog").get_by_role("link", name="Briefing", exact=True).click()
    expect(writer.locator(".modal-dialog")).to_have_count(0)
    field = writer.get_by_role("textbox", name="Publication date")
    field.fill(date.isoformat())
    field.press("Escape")
    writer.get_by_role("textbox", name="Summary").fill("What the review means for nurses.")
    writer.get_by_role("button", name="Choose a document").click()
    modal = writer.locator(".modal-dialog")
    modal.get_by_role("tab", name="Upload").click()
    modal.get_by_label("Title").fill(f"Briefing PDF {suffix}")
    modal.locator('input[type="file"]').set_input_files(str(pdf))
    modal.get_by_role("button", name="Upload").click()
    expect(writer.locator('input[name="document"]')).not_to_have_value("")
    choose_footer_action(writer, "Submit to Policy sign-off")
    expect(writer.locator(".messages")).to_contain_text("submitted")
    return writer, title, f"workforce-briefing-{suffix}"


def public_status(visitor, site_server, slug):
    """The publication page's status for a visitor, and its PDF's (None: no link)."""
    page = visitor.request.get(f"{site_server}/publications/{slug}/")
    pdf_url = site_shell(
        visitor.live_site,
        "from policy.models import PublicationPage\n"
        f"print(PublicationPage.objects.get(slug={slug!r}).document.url)",
    )
    pdf = visitor.request.get(site_server + pdf_url)
    return page.status, pdf.status


def test_a_report_dated_next_month_approved_today_launches_on_its_date(
    live_site,
    site_server,
    new_page,
    tmp_path,
    remove_test_publications,  # noqa: F811
):
    launch = datetime.date.today() + datetime.timedelta(days=31)
    _, title, slug = publication_via_admin(live_site, site_server, new_page, tmp_path, launch)
    make_user(live_site, "mo", "Moderators")
    moderator = new_page()
    log_in(moderator, site_server, "mo")
    # The dashboard's sign-off list shows the planned launch.
    panel = moderator.locator("section", has_text="Awaiting sign-off")
    expect(panel).to_contain_text(title)
    expect(panel).to_contain_text(launch.strftime("%-d %B %Y"))
    moderator.get_by_role("link", name=title).first.click()
    # The approve button says when the approval goes live.
    choose_footer_action(moderator, f"Approve and Publish on {launch.strftime('%-d %B %Y')}, 00:00")
    expect(moderator.locator(".messages")).to_be_visible()

    visitor = new_page()
    visitor.live_site = live_site
    assert public_status(visitor, site_server, slug) == (404, 404)  # approved, not launched
    site_shell(
        live_site,
        "from django.core.management import call_command\ncall_command('publish_scheduled')",
    )
    assert public_status(visitor, site_server, slug) == (404, 404)  # cron today: still hidden

    # Time travel: cron runs a minute after the launch.
    site_shell(
        live_site,
        "import datetime, time_machine\n"
        "from django.core.management import call_command\n"
        "from django.utils import timezone\n"
        f"launch = timezone.make_aware(datetime.datetime.fromisoformat({launch.isoformat()!r}))\n"
        "with time_machine.travel(launch + datetime.timedelta(minutes=1)):\n"
        "    call_command('publish_scheduled')",
    )
    assert public_status(visitor, site_server, slug) == (200, 200)
    visitor.goto(f"{site_server}/publications/{slug}/")
    expect(visitor.locator("h1")).to_have_text(title)


def test_the_author_sees_why_changes_were_requested(
    live_site,
    site_server,
    new_page,
    tmp_path,
    remove_test_publications,  # noqa: F811
):
    writer, title, slug = publication_via_admin(
        live_site, site_server, new_page, tmp_path, datetime.date(2026, 3, 1)
    )
    make_user(live_site, "mo", "Moderators")
    moderator = new_page()
    log_in(moderator, site_server, "mo")
    moderator.get_by_role("link", name=title).first.click()
    choose_footer_action(moderator, "Request changes")
    dialog = moderator.locator(".modal-dialog")
    dialog.get_by_role("textbox").fill("Please give the source of the 74,000 figure.")
    dialog.get_by_role("button", name="Request changes").click()
    expect(moderator.locator(".messages")).to_be_visible()

    # The author's dashboard and the editor both show the comment.
    writer.goto(site_server + "/admin/")
    expect(writer.locator("body")).to_contain_text("Sent back for changes")
    expect(writer.locator("body")).to_contain_text("Please give the source of the 74,000 figure.")
    writer.get_by_role("link", name=title).first.click()
    expect(writer.locator(".messages")).to_contain_text(
        "asked for changes: “Please give the source of the 74,000 figure.”"
    )


def test_a_comms_editor_pins_a_page_for_a_search_term(live_site, site_server, new_page):
    make_user(live_site, "carol", "Comms editors")
    editor = new_page()
    log_in(editor, site_server, "carol")
    editor.goto(site_server + "/admin/searchpicks/add/")
    term = f"volunteering{uuid.uuid4().hex[:4]}"
    editor.locator("#id_query_string").fill(term)
    editor.get_by_role("button", name="Add a recommended result").click()
    editor.get_by_role("button", name="Choose a page").first.click()
    modal = editor.locator(".modal-dialog")
    modal.locator("input[name=q]").fill("About THET")
    modal.get_by_role("link", name="About THET").first.click()
    expect(editor.locator(".modal-dialog")).to_have_count(0)
    editor.get_by_role("button", name="Create").click()
    expect(editor.locator(".messages")).to_contain_text(term)

    visitor = new_page()
    visitor.goto(f"{site_server}/search/?q={term}")
    expect(visitor.locator("main")).to_contain_text("About")
