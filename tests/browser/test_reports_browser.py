"""Publications as web pages, in a real browser.

1. A policy editor writes a two-section report (a table, a figure, two footnotes, text
   pasted from Word) and submits it; a moderator approves it; the public page has a
   working table of contents, footnotes both ways, the citation box, and prints without
   navigation.
2. The seeded General Election 2024 Briefing: axe (WCAG and best practice) finds
   nothing at phone and desktop widths, Lighthouse scores 100 in all four categories,
   and a first view on a 360 px phone transfers at most 60 KB compressed.
"""

import uuid
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.axe import (
    REVIEW_IS_FAILURE,
    WCAG_AND_BEST_PRACTICE,
    axe_violations,
    format_violations,
)
from tests.browser.lighthouse import assert_perfect, lighthouse_scores
from tests.browser.test_editorial_flows import choose_footer_action, log_in, make_user, site_shell

pytestmark = pytest.mark.browser

BRIEFING = "/publications/general-election-2024-briefing/"
PHONE_BUDGET_BYTES = 60 * 1024

WORD_PASTE = (
    '<p class="MsoNormal" style="font-family:Calibri;color:#ff0000;font-size:14pt">'
    '<span style="mso-bidi-font-weight:bold">Training stopped overnight</span>'
    '<span class="MsoFootnoteReference" style="font-size:12pt">[1]</span> and 78,000 '
    "health workers were never trained<span class=MsoFootnoteReference>[2]</span>.</p>"
)


def paste_html(page, editor, html):
    """Paste ``html`` into a Draftail editor as a browser would from Word."""
    editor.click()
    editor.evaluate(
        """(el, html) => {
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', html.replace(/<[^>]+>/g, ''));
            el.dispatchEvent(new ClipboardEvent('paste', {
                clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        html,
    )


def add_block(page, stream, label=None):
    """Insert a block at the end of a StreamField ``stream``: of type ``label``, picked
    from the menu, or the only type the stream has (added at once, no menu)."""
    stream.locator("button[title='Insert a block']").last.click()
    if label:
        page.get_by_role("option", name=label, exact=True).click()


def chart_png(tmp_path, title):
    """A picture of its own (Wagtail asks about a duplicate of an earlier upload)."""
    path = tmp_path / "chart.png"
    shade = int.from_bytes(title.encode()[-3:], "big") % 200
    Image.new("RGB", (640, 360), (shade, 79, 139)).save(path)
    return path


def write_report(writer, site_server, index_id, title, tmp_path):
    """The editor's part: a two-section report with a table, a figure and two notes."""
    writer.goto(f"{site_server}/admin/pages/add/policy/publicationpage/{index_id}/")
    writer.get_by_role("textbox", name="Title").first.fill(title)
    writer.get_by_role("button", name="Choose publication type").click()
    writer.locator(".modal-dialog").get_by_role("link", name="Report", exact=True).click()
    expect(writer.locator(".modal-dialog")).to_have_count(0)
    date = writer.get_by_role("textbox", name="Publication date")
    date.fill("2025-02-01")
    date.press("Escape")
    writer.get_by_role("textbox", name="Summary").fill("What the 2021 cuts meant for training.")

    full_text = writer.locator("[data-contentpath='full_text']")
    # Section 1: pasted text with two footnote marks, a table and a figure.
    add_block(writer, full_text)
    writer.locator("#full_text-0-value-heading").fill("What the cuts meant")
    content = full_text.locator("[data-contentpath='content']").nth(0)
    add_block(writer, content, "Text")
    paste_html(writer, content.locator("[contenteditable='true']").first, WORD_PASTE)
    add_block(writer, content, "Data table")
    table = "#full_text-0-value-content-1-value"
    writer.locator(f"{table}-table-header-choice").select_option("row")
    writer.locator(f"{table}-handsontable-col-caption").fill("Training lost by region")
    cells = writer.locator(f"{table}-handsontable-container .htCore tbody td")
    for cell, text in ((0, "Region"), (1, "Health workers"), (3, "East Africa"), (4, "41,000")):
        cells.nth(cell).dblclick()
        writer.keyboard.type(text)
        writer.keyboard.press("Enter")
    add_block(writer, content, "Figure")
    figure = "#full_text-0-value-content-2-value"
    writer.locator(f"{figure}-image-chooser").get_by_role("button", name="Choose an image").click()
    modal = writer.locator(".modal-dialog")
    modal.get_by_role("tab", name="Upload").click()
    modal.get_by_label("Title").fill(f"Chart for {title}")
    modal.locator('input[type="file"]').set_input_files(str(chart_png(tmp_path, title)))
    modal.get_by_role("button", name="Upload").click()
    expect(writer.locator(".modal-dialog")).to_have_count(0, timeout=30_000)
    writer.locator(f"{figure}-alt_text").fill("Training fell by two thirds in 2021.")
    writer.locator(f"{figure}-caption").fill("Health workers trained each year")
    writer.locator(f"{figure}-source").fill("THET programme data")

    # Section 2: the asks.
    add_block(writer, full_text)
    writer.locator("#full_text-1-value-heading").fill("What we ask")
    content2 = full_text.locator("[data-contentpath='content']").nth(1)
    add_block(writer, content2, "Text")
    content2.locator("[contenteditable='true']").first.click()
    writer.keyboard.type("Restore health spending to its 2020 level.")

    notes = writer.locator("[data-contentpath='footnotes']")
    for text in ("THET accounts, 2022.", "Health Partnership Scheme evaluation."):
        add_block(writer, notes)
        notes.locator("[contenteditable='true']").last.click()
        writer.keyboard.type(text)


def approve(moderator, site_server, page_id, task_state_id):
    token = next(c["value"] for c in moderator.context.cookies() if c["name"] == "csrftoken")
    response = moderator.request.post(
        f"{site_server}/admin/pages/workflow/action/{page_id}/approve/{task_state_id}/",
        form={"comment": "Signed off."},
        headers={"X-CSRFToken": token, "Referer": f"{site_server}/admin/"},
    )
    assert response.ok, response.text()[:500]


def read_and_print_report(visitor, site_server, slug, title):
    """The reader's part, once the report is live."""
    assert visitor.goto(f"{site_server}/publications/{slug}/").status == 200
    main = visitor.locator("main")
    # Word's styling is gone, its structure (and the footnote marks) kept.
    assert "color" not in main.locator(".report-section .rich-text").first.inner_html()
    # The table of contents leads to each section.
    contents = visitor.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name="What we ask").click()
    expect(visitor).to_have_url(f"{site_server}/publications/{slug}/#what-we-ask")
    expect(visitor.locator("#what-we-ask")).to_be_in_viewport()
    # Footnotes both ways.
    visitor.locator("sup.note-ref a").first.click()
    expect(visitor).to_have_url(f"{site_server}/publications/{slug}/#note-1")
    expect(visitor.locator("#note-1")).to_contain_text("THET accounts, 2022.")
    visitor.locator("#note-1").get_by_role("link", name="Back to the text").click()
    expect(visitor).to_have_url(f"{site_server}/publications/{slug}/#note-ref-1")
    expect(visitor.locator("#note-ref-1")).to_be_in_viewport()
    expect(visitor.locator("#note-2")).to_contain_text("Health Partnership Scheme evaluation.")
    # The table and the figure as written.
    table = main.locator("table")
    expect(table.locator("caption")).to_have_text("Training lost by region")
    expect(table.locator("th[scope='col']").first).to_have_text("Region")
    expect(main.get_by_role("img", name="Training fell by two thirds in 2021.")).to_be_visible()
    # The citation box and its files.
    cite = main.locator("#cite")
    expect(cite.get_by_role("heading")).to_have_text("Cite this report")
    expect(cite).to_contain_text(f"({2025}) {title}.")
    ris = visitor.request.get(f"{site_server}/publications/{slug}/cite.ris")
    assert ris.ok and f"TI  - {title}" in ris.text()

    # Printed: no navigation of any kind, links written out, sections on new pages.
    visitor.emulate_media(media="print")
    for nav in visitor.locator("nav").all():
        expect(nav).to_be_hidden()
    expect(contents).to_be_hidden()
    breaks = visitor.locator(".report-section").evaluate_all(
        "els => els.map(el => getComputedStyle(el).breakBefore)"
    )
    assert breaks == ["auto", "page"], breaks
    after = visitor.locator("main a[href^='/']").first.evaluate(
        "el => getComputedStyle(el, '::after').content"
    )
    assert "/" in after
    visitor.emulate_media(media="screen")
    expect(contents).to_be_visible()


@pytest.fixture
def remove_test_reports(live_site):
    yield
    site_shell(
        live_site,
        "from policy.models import PublicationPage\n"
        "for page in PublicationPage.objects.filter(slug__startswith='cuts-report-'):\n"
        "    page.delete()",
    )


def test_editor_writes_a_report_signed_off_then_readable_and_printable(
    live_site, site_server, new_page, tmp_path, remove_test_reports
):
    make_user(live_site, "priya", "Policy team")
    make_user(live_site, "mo", "Moderators")
    index_id = site_shell(
        live_site,
        "from policy.models import PublicationIndexPage\n"
        "print(PublicationIndexPage.objects.get().pk)",
    )
    suffix = uuid.uuid4().hex[:6]
    title = f"Cuts report {suffix}"
    slug = f"cuts-report-{suffix}"

    writer = new_page(width=1400, height=1000)
    log_in(writer, site_server, "priya")
    write_report(writer, site_server, index_id, title, tmp_path)
    # Wagtail 8 autosaves the form 0.5 s after each change: let the last one finish, or
    # the submit races it on SQLite ("database is locked").
    writer.wait_for_timeout(1000)
    writer.wait_for_load_state("networkidle")
    choose_footer_action(writer, "Submit to Policy sign-off")
    expect(writer.locator(".messages")).to_contain_text("submitted")
    errors = writer.locator(".error-message").all_inner_texts()
    assert errors == [], errors

    visitor = new_page(width=1280)
    assert visitor.goto(f"{site_server}/publications/{slug}/").status == 404

    # The moderator approves it from their own session (a real POST to Wagtail's
    # workflow action). Not from the page editor: there, Wagtail 8's autosave of the
    # moderator's open form can race the approval and leave the page unpublished.
    moderator = new_page()
    log_in(moderator, site_server, "mo")
    ids = site_shell(
        live_site,
        "from policy.models import PublicationPage\n"
        f"page = PublicationPage.objects.get(slug={slug!r})\n"
        "print(page.pk, page.current_workflow_task_state.pk)",
    )
    approve(moderator, site_server, *ids.split())

    read_and_print_report(visitor, site_server, slug, title)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_seeded_report_passes_axe_with_best_practices(new_page, site_server, width):
    page = new_page(width=width)
    page.goto(site_server + BRIEFING)
    violations = axe_violations(
        page, tags=WCAG_AND_BEST_PRACTICE, review_is_failure=REVIEW_IS_FAILURE
    )
    assert not violations, format_violations(violations)


def test_the_seeded_report_scores_100_in_lighthouse(site_server):
    assert_perfect(lighthouse_scores(site_server + BRIEFING))


def test_the_seeded_report_first_view_on_a_phone_is_within_60_kb(new_page, site_server):
    page = new_page(width=360, height=740)
    finished, failed = [], []
    page.on("requestfinished", lambda request: finished.append(request))
    page.on("requestfailed", lambda request: failed.append(request))
    page.goto(site_server + BRIEFING, wait_until="load")
    page.wait_for_load_state("networkidle")
    assert not failed, [r.url for r in failed]
    total, rows = 0, []
    for request in finished:
        sizes = request.sizes()
        transferred = sizes["responseHeadersSize"] + sizes["responseBodySize"]
        total += transferred
        rows.append(f"{transferred:>7} B  {urlsplit(request.url).path}")
    report = f"{len(finished)} requests, {total / 1024:.1f} KB:\n" + "\n".join(rows)
    print(report)
    assert total <= PHONE_BUDGET_BYTES, report
