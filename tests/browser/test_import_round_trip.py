"""Importing projects as a comms editor does it, in a real browser against the real site.

1. The spreadsheet round trip: download the project listing's CSV, change one cell,
   check it and import it through the admin's "Import projects" screen: only that field
   of that project changes.
2. A partial row (only a slug and an end year) for an existing project keeps its
   partners, themes and programme.
3. A file too large to import while the editor waits runs in a process of its own: the
   editor watches its progress bar, then reads its report on the same page, and finds it
   again under "Recent imports".
"""

import csv
import io
import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations, format_violations
from tests.browser.test_editorial_flows import log_in, make_user, site_shell

pytestmark = pytest.mark.browser

SLUG = "colposcopy-cervical-pathology-kathmandu-nepal"
FACTS = (
    "import json\n"
    "from partnerships.models import ProjectPage\n"
    "print(json.dumps({p.slug: [p.title, p.summary, p.programme_id, p.start_year, p.end_year,"
    " sorted(p.countries.values_list('pk', flat=True)),"
    " sorted(p.themes.values_list('pk', flat=True)),"
    " sorted(p.uk_partners.values_list('pk', flat=True)),"
    " sorted(p.overseas_partners.values_list('pk', flat=True)),"
    " p.revisions.count()] for p in ProjectPage.objects.all()}))"
)
FIELDS = (
    "title",
    "summary",
    "programme",
    "start_year",
    "end_year",
    "countries",
    "themes",
    "uk_partners",
    "overseas_partners",
    "revisions",
)


def facts(live_site) -> dict:
    return {
        slug: dict(zip(FIELDS, values, strict=True))
        for slug, values in json.loads(site_shell(live_site, FACTS)).items()
    }


def open_import_screen(page, base):
    page.goto(base + "/admin/")
    page.get_by_role("link", name="Import projects").click()
    expect(page.get_by_role("heading", name="Import projects", level=1)).to_be_visible()


def report(page):
    """The import's own status line (Wagtail's messages area is a status too)."""
    return page.get_by_role("status").filter(has_text="checked:")


def upload(page, path, *, check_only: bool):
    page.get_by_label("CSV file").set_input_files(str(path))
    box = page.get_by_label("Check only, do not import")
    box.check() if check_only else box.uncheck()
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Report for")).to_be_visible()


def test_download_edit_one_cell_and_import_it_back(live_site, site_server, page, tmp_path):
    user = make_user(live_site, "roundtrip", "Comms editors")
    before = facts(live_site)

    # The listing's own download, as a visitor gets it.
    page.goto(site_server + "/our-work/projects/")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").first.click()
    original = tmp_path / "thet-projects-all.csv"
    download.value.save_as(original)

    # One cell changed, as a spreadsheet saves it: the BOM kept, the rest untouched.
    text = original.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    summary = rows[0].index("Summary")
    edited_rows = 0
    for row in rows[1:]:
        if row[1].rstrip("/").endswith("/" + SLUG):
            row[summary] = "Training Kathmandu's clinicians in colposcopy, edited in Excel."
            edited_rows += 1
    assert edited_rows == 1
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    edited = tmp_path / "edited.csv"
    edited.write_bytes(("\ufeff" + out.getvalue()).encode())

    log_in(page, site_server, user)
    open_import_screen(page, site_server)
    # Unchanged, the download imports back as nothing to do.
    upload(page, original, check_only=False)
    expect(report(page)).to_contain_text("0 projects were created, 0 updated")
    assert facts(live_site) == before

    # Checked first: the one change, by the project's title, before and after.
    upload(page, edited, check_only=True)
    expect(report(page)).to_contain_text("Check only: nothing was saved.")
    expect(report(page)).to_contain_text("0 projects would be created, 1 updated")
    change = page.get_by_role("table").filter(has_text="Training and capacity development")
    expect(change.get_by_role("row", name="Summary")).to_contain_text("edited in Excel.")
    assert facts(live_site) == before

    # Imported: only that field of that project changed.
    upload(page, edited, check_only=False)
    expect(report(page)).to_contain_text("0 projects were created, 1 updated")
    after = facts(live_site)
    assert after[SLUG]["summary"].endswith("edited in Excel.")
    expected = {**before, SLUG: {**before[SLUG], "summary": after[SLUG]["summary"]}}
    expected[SLUG]["revisions"] += 1
    assert after == expected
    page.goto(site_server + f"/our-work/projects/{SLUG}/")
    expect(page.get_by_text("edited in Excel.").first).to_be_visible()


def test_a_partial_row_keeps_the_projects_partners(live_site, site_server, page, tmp_path):
    user = make_user(live_site, "partialrow", "Comms editors")
    slug = "violence-aggression-management-tanzania"
    page.goto(site_server + f"/our-work/projects/{slug}/")
    expect(page.get_by_text("Mirembe Hospital and Nursing School").first).to_be_visible()
    before = facts(live_site)[slug]

    partial = tmp_path / "end-years.csv"
    partial.write_text(f"slug;end_year;uk_partners;health_themes\n{slug};2016;;\n")
    log_in(page, site_server, user)
    open_import_screen(page, site_server)
    upload(page, partial, check_only=False)
    status = report(page)
    expect(status).to_contain_text("1 row checked: 0 projects were created, 1 updated")
    expect(page.get_by_text("Read as semicolon-separated UTF-8 text.")).to_be_visible()

    after = facts(live_site)[slug]
    assert after["end_year"] == 2016
    for name in ("uk_partners", "overseas_partners", "themes", "countries", "programme"):
        assert after[name] == before[name], name
    page.goto(site_server + f"/our-work/projects/{slug}/")
    expect(page.get_by_text("Mirembe Hospital and Nursing School").first).to_be_visible()
    expect(
        page.get_by_text("Central and North West London NHS Foundation Trust").first
    ).to_be_visible()


def test_a_large_file_is_imported_in_the_background_with_progress(
    live_site, site_server, page, tmp_path
):
    user = make_user(live_site, "bigfile", "Comms editors")
    rows = [["title", "summary", "countries", "health_themes", "start_year"]] + [
        [
            f"Background project {n}",
            f"Project {n}, imported in the background.",
            "Uganda",
            "Mental health",
            "2024",
        ]
        for n in range(150)
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    big = tmp_path / "big.csv"
    big.write_text(out.getvalue())

    log_in(page, site_server, user)
    open_import_screen(page, site_server)
    page.get_by_label("CSV file").set_input_files(str(big))
    page.get_by_label("Check only, do not import").uncheck()
    page.get_by_role("button", name="Upload").click()
    # The import's own page, with its progress (the process takes a second or two just to
    # start Django, so the page is there before the import is done).
    expect(page).to_have_url(re.compile(r"/admin/import-projects/[0-9a-f-]{36}/$"))
    address = page.url
    expect(page.get_by_role("heading", name="Importing big.csv")).to_be_visible()
    expect(page.get_by_label("Progress")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    # The page moves on by itself to the report (a real process: up to a minute here).
    expect(page.get_by_role("heading", name="Report for big.csv")).to_be_visible(timeout=90_000)
    expect(report(page)).to_contain_text("150 rows checked: 150 projects were created")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.goto(site_server + "/our-work/projects/background-project-149/")
    expect(page.get_by_role("heading", name="Background project 149", level=1)).to_be_visible()
    # Found again from the upload page.
    open_import_screen(page, site_server)
    recent = page.get_by_role("table", name="Recent imports")
    expect(recent.get_by_role("row").filter(has_text="big.csv")).to_contain_text("Finished")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    recent.get_by_role("link", name="big.csv").first.click()
    assert page.url == address
    expect(report(page)).to_contain_text("150 projects were created")
