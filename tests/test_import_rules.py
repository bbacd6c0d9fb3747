"""The importer never loses what an editor did: an update changes only what a row says,
"Check only" lists every change, the listing's own download imports back unchanged, and
files as spreadsheets save them (semicolons, a BOM or none) read the same.

Everything goes through what a person uses: real POSTs to the admin's "Import projects"
view and the ``import_projects`` command.
"""

import csv
import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from partnerships.importers import import_projects
from partnerships.models import Country, PartnerOrganisation, ProjectPage
from tests.test_import import URL, project_rows, to_csv

EVERY_COLUMN = (
    "slug,title,summary,programme,countries,health_themes,uk_partners,overseas_partners,"
    "start_year,end_year"
)


def upload(client, data: bytes, *, dry_run: bool = False, name: str = "projects.csv") -> str:
    form = {"file": SimpleUploadedFile(name, data, "text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    response = client.post(URL, form)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def facts(slug: str) -> dict:
    """Everything the importer can set on a project, as it now is in the database."""
    page = ProjectPage.objects.get(slug=slug)
    return {
        "title": page.title,
        "summary": page.summary,
        "programme": page.programme.title if page.programme else None,
        "countries": sorted(c.name for c in page.countries.all()),
        "themes": sorted(t.name for t in page.themes.all()),
        "uk_partners": sorted(p.name for p in page.uk_partners.all()),
        "overseas_partners": sorted(p.name for p in page.overseas_partners.all()),
        "start_year": page.start_year,
        "end_year": page.end_year,
        "revisions": page.revisions.count(),
    }


def all_facts() -> dict:
    return {slug: facts(slug) for slug in ProjectPage.objects.values_list("slug", flat=True)}


@pytest.fixture
def project(db):
    """A project with every field filled in: imported-project-0."""
    report = import_projects(to_csv(project_rows(1)))
    assert report.ok, report.errors
    return facts("imported-project-0")


# --- blank cells and missing columns keep what is there -----------------------------------


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.django_db
def test_blank_cells_keep_the_projects_fields(admin_client, project, dry_run):
    data = f"{EVERY_COLUMN}\nimported-project-0,,,,,,,,,\n".encode()
    page = upload(admin_client, data, dry_run=dry_run)
    verb = "would be" if dry_run else "were"
    assert f"1 row checked: 0 projects {verb} created, 0 updated, 1 unchanged" in page
    assert facts("imported-project-0") == project  # partners, themes, programme, years kept


@pytest.mark.django_db
def test_a_partial_row_changes_only_its_own_column_command(tmp_path, project):
    path = tmp_path / "summaries.csv"
    path.write_text("slug,summary\nimported-project-0,A better summary.\n")
    out = io.StringIO()
    call_command("import_projects", str(path), stdout=out)
    assert "1 row checked: 0 projects were created, 1 updated, 0 unchanged" in out.getvalue()
    assert "Imported project 0 (imported-project-0) was updated:" in out.getvalue()
    assert "  Summary: What imported project 0 does. → A better summary." in out.getvalue()
    now = facts("imported-project-0")
    assert now["summary"] == "A better summary."
    assert now["revisions"] == project["revisions"] + 1
    assert {**now, "summary": None, "revisions": None} == {
        **project,
        "summary": None,
        "revisions": None,
    }


@pytest.mark.django_db
def test_a_partial_row_keeps_partners_in_the_admin(admin_client, project):
    data = b"slug,end_year\nimported-project-0,2020\n"
    page = upload(admin_client, data)
    assert "1 row checked: 0 projects were created, 1 updated, 0 unchanged" in page
    now = facts("imported-project-0")
    assert now["end_year"] == 2020
    assert now["uk_partners"] == project["uk_partners"] == ["UK Partner Trust 0"]
    assert now["overseas_partners"] == project["overseas_partners"]
    assert now["themes"] == project["themes"] and now["programme"] == project["programme"]


@pytest.mark.django_db
def test_a_new_project_still_needs_title_and_summary(admin_client, project):
    page = upload(admin_client, b"slug,end_year\nnot-there-yet,2020\n")
    assert "Line 2: title is empty: a new project needs one" in page
    assert "Line 2: summary is empty: a new project needs one" in page
    assert not ProjectPage.objects.filter(slug="not-there-yet").exists()


# --- Check only shows every change --------------------------------------------------------


@pytest.mark.django_db
def test_check_only_lists_every_change_by_title_before_and_after(admin_client, project):
    import_projects(to_csv(project_rows(2, start=1)))
    rows = project_rows(3)
    rows[0]["end_year"] = "2019"
    rows[0]["uk_partners"] = "UK Partner Trust 0; Brand New Trust"
    rows[0]["programme"] = ""  # blank: kept, so not a change
    before = all_facts()
    page = upload(admin_client, to_csv(rows), dry_run=True)
    assert "Check only: nothing was saved." in page
    assert "3 rows checked: 0 projects would be created, 1 updated, 2 unchanged" in page
    assert "1 new theme, partner or country would be added" in page
    # By its title, with each field that would change, before and after.
    assert "Imported project 0 <small>(imported-project-0)</small>" in page
    assert '<th scope="row">End year</th><td>2016</td><td>2019</td>' in page
    assert (
        '<th scope="row">UK partners</th><td>UK Partner Trust 0</td>'
        "<td>Brand New Trust (new); UK Partner Trust 0</td>" in page
    )
    assert "Programme</th>" not in page  # no change there
    assert "Imported project 1 <small>" not in page  # unchanged rows are only counted
    assert all_facts() == before
    assert not PartnerOrganisation.objects.filter(name="Brand New Trust").exists()


@pytest.mark.django_db
def test_the_report_counts_in_good_grammar(tmp_path, project):
    path = tmp_path / "one.csv"
    rows = project_rows(1, start=8)  # the same countries, programme and partners as project 0
    rows[0]["uk_partners"], rows[0]["overseas_partners"] = "UK Partner Trust 0", ""
    rows[0]["health_themes"] = "A theme of its own"
    path.write_bytes(to_csv(rows))
    out = io.StringIO()
    call_command("import_projects", str(path), "--dry-run", stdout=out)
    assert (
        "1 row checked: 1 project would be created, 0 updated, 0 unchanged; "
        "1 new theme, partner or country would be added." in out.getvalue()
    )
    rows = project_rows(1)
    rows[0]["start_year"] = "soon"
    path.write_bytes(to_csv(rows))
    with pytest.raises(CommandError, match=r"Nothing was imported: 1 problem found in 1 row\."):
        call_command("import_projects", str(path), stdout=io.StringIO(), stderr=io.StringIO())


# --- the listing's download is an import file ---------------------------------------------


def download(client, query: str = "") -> bytes:
    response = client.get(f"/our-work/projects/data.csv{query}")
    assert response.status_code == 200
    return response.content


def edit_cell(data: bytes, slug: str, column: str, value: str, delimiter: str = ",") -> bytes:
    """``data`` (a download) with one cell changed, as a spreadsheet would save it."""
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    where = rows[0].index(column)
    for row in rows[1:]:
        if row[1].rstrip("/").endswith("/" + slug):
            row[where] = value
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


@pytest.mark.parametrize("query", ["", "?theme=mental-health", "?q=imported"])
@pytest.mark.django_db
def test_the_listings_download_imports_back_unchanged(admin_client, client, query):
    import_projects(to_csv(project_rows(12)))
    data = download(client, query)
    before = all_facts()
    page = upload(admin_client, data)
    assert "0 projects were created, 0 updated," in page, page[:3000]
    assert all_facts() == before


@pytest.mark.django_db
def test_edit_one_cell_of_the_download_and_only_that_changes(admin_client, client):
    import_projects(to_csv(project_rows(6)))
    before = all_facts()
    data = edit_cell(download(client), "imported-project-3", "End year", "2024")
    page = upload(admin_client, data, dry_run=True)
    assert "0 projects would be created, 1 updated," in page
    assert '<th scope="row">End year</th><td>2016</td><td>2024</td>' in page
    page = upload(admin_client, data)
    assert "0 projects were created, 1 updated," in page
    after = all_facts()
    assert after["imported-project-3"]["end_year"] == 2024
    changed = {slug for slug in before if before[slug] != after[slug]}
    assert changed == {"imported-project-3"}
    assert {**after["imported-project-3"], "end_year": 2016, "revisions": 1} == {
        **before["imported-project-3"]
    }


@pytest.mark.django_db
def test_the_download_imports_back_through_the_command(client, tmp_path):
    import_projects(to_csv(project_rows(5)))
    path = tmp_path / "thet-projects-all.csv"
    path.write_bytes(download(client))
    out = io.StringIO()
    call_command("import_projects", str(path), stdout=out)
    assert "0 projects were created, 0 updated," in out.getvalue()


@pytest.mark.django_db
def test_a_title_the_download_protected_with_an_apostrophe_reads_back(admin_client, client):
    """The download writes ``'=…`` for a cell a spreadsheet would run; that is text, not a
    change, and an edited protected cell is stored without the apostrophe."""
    import_projects(to_csv(project_rows(2)))
    page = ProjectPage.objects.get(slug="imported-project-1")
    page.title = "-20% child mortality in Kigoma"
    page.save_revision().publish()
    data = download(client)
    assert b"'-20% child mortality in Kigoma" in data
    assert "0 projects were created, 0 updated," in upload(admin_client, data)
    edited = edit_cell(data, "imported-project-1", "Title", "'-25% child mortality in Kigoma")
    assert "1 updated" in upload(admin_client, edited)
    assert facts("imported-project-1")["title"] == "-25% child mortality in Kigoma"


@pytest.mark.django_db
def test_partners_with_their_country_and_the_two_country_columns(admin_client, client):
    import_projects(to_csv(project_rows(2)))
    data = download(client)
    # A new overseas partner given as the download writes one: its country in brackets.
    data = edit_cell(
        data, "imported-project-0", "Overseas partners", "Kigoma Regional Hospital (Tanzania)"
    )
    # Only the names column edited: the names are what changed, the codes are stale.
    data = edit_cell(data, "imported-project-1", "Countries", "Nepal")
    page = upload(admin_client, data)
    assert "0 projects were created, 2 updated," in page
    partner = PartnerOrganisation.objects.get(name="Kigoma Regional Hospital")
    assert partner.location == "overseas" and partner.country.name == "Tanzania"
    assert facts("imported-project-0")["overseas_partners"] == ["Kigoma Regional Hospital"]
    assert facts("imported-project-1")["countries"] == ["Nepal"]
    # Both edited, differently: which is meant cannot be known.
    data = edit_cell(download(client), "imported-project-1", "Countries", "India")
    data = edit_cell(data, "imported-project-1", "Country codes (ISO 3166)", "CN")
    page = upload(admin_client, data)
    assert "Country codes (ISO 3166) and Countries disagree" in page
    assert facts("imported-project-1")["countries"] == ["Nepal"]
    assert Country.objects.filter(iso_code="TZ").count() == 1


# --- files as people save them ------------------------------------------------------------


def as_saved(rows: list[dict], delimiter: str, bom: bool) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


@pytest.mark.django_db
def test_semicolons_and_a_bom_read_the_same_as_commas(admin_client, project):
    rows = project_rows(3)
    rows[0]["summary"] = "Changed; with a semicolon, and a comma."
    reports = {}
    for delimiter in (",", ";"):
        for bom in (False, True):
            page = upload(admin_client, as_saved(rows, delimiter, bom), dry_run=True)
            shown = page[page.index("Check only") : page.index("Download a sample")]
            reports[delimiter, bom] = shown.split("Read as")[0] + shown.split("text.", 1)[1]
            name = {",": "comma", ";": "semicolon"}[delimiter]
            assert f"Read as {name}-separated UTF-8{' with BOM' if bom else ''} text." in shown
    assert len(set(reports.values())) == 1, reports
    assert "3 rows checked: 2 projects would be created, 1 updated, 0 unchanged" in page
    assert "Changed; with a semicolon, and a comma." in page
    page = upload(admin_client, as_saved(rows, ";", True))
    assert facts("imported-project-0")["summary"] == "Changed; with a semicolon, and a comma."
    assert facts("imported-project-2")["countries"] == ["India", "Zambia"]


@pytest.mark.parametrize(
    "data, message",
    [
        (
            "title;summary\nCaf\xe9;x\n".encode("latin-1"),
            "The file is not UTF-8 text: line 2 has a byte (0xE9) that UTF-8 does not use, so "
            "it was probably saved as Windows-1252 or Latin-1 (Excel's plain “CSV”). "
            "In Excel use Save As, “CSV UTF-8”.",
        ),
        (
            "\ufefftitle;colour;summary\nA;red;B\n".encode(),
            "Line 1 (read as semicolon-separated UTF-8 with BOM): unknown column “colour”. "
            "The columns are: title, summary, slug, url, programme,",
        ),
        (
            b"colour|shape\nred|round\n",
            "Line 1 (read as comma-separated UTF-8): unknown column “colour|shape”.",
        ),
    ],
)
@pytest.mark.django_db
def test_a_file_that_cannot_be_read_says_why_in_one_line(admin_client, tmp_path, data, message):
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError) as raised:
        call_command("import_projects", str(path), stdout=io.StringIO())
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
    assert message in upload(admin_client, data)


@pytest.mark.django_db
def test_excels_unicode_text_utf16_and_tabs_reads_the_same(tmp_path, project):
    rows = project_rows(2)
    rows[0]["end_year"] = "2018"
    path = tmp_path / "unicode.txt.csv"
    path.write_bytes(as_saved(rows, "\t", bom=False).decode().encode("utf-16"))
    out = io.StringIO()
    call_command("import_projects", str(path), "--dry-run", stdout=out)
    assert "2 rows checked: 1 project would be created, 1 updated, 0 unchanged" in out.getvalue()
    assert "  End year: 2016 → 2018" in out.getvalue()


@pytest.mark.django_db
def test_a_cell_too_large_for_csv_is_a_message_not_an_error_page(admin_client):
    data = b"title,summary\nA project," + b"x" * 200_000 + b"\n"
    page = upload(admin_client, data, dry_run=True)
    assert "The file is not a readable CSV file" in page
    assert not ProjectPage.objects.filter(title="A project").exists()
