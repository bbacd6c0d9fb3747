"""Bulk import of projects: the importer, its command and the admin upload view."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from partnerships.import_rows import ImportReport, Lookup, read_rows
from partnerships.importers import COLUMNS, ImportFileError, import_projects
from partnerships.models import HealthTheme, PartnerOrganisation, ProjectPage

SAMPLE = Path(__file__).resolve().parent.parent / "partnerships" / "data" / "sample_projects.csv"
COUNTRIES = ["Tanzania", "Nepal", "India", "China", "Uganda", "Zambia", "Myanmar", "Ghana"]
THEMES = ["Mental Health", "NCDs", "Maternal and Newborn Health", "Emergency care"]


def project_rows(count: int, start: int = 0) -> list[dict]:
    return [
        {
            "title": f"Imported project {i}",
            "slug": f"imported-project-{i}",
            "summary": f"What imported project {i} does.",
            "programme": "Health Partnership Scheme",
            "countries": f"{COUNTRIES[i % 8]}; {COUNTRIES[(i + 3) % 8]}",
            "health_themes": THEMES[i % 4],
            "uk_partners": f"UK Partner Trust {i % 30}",
            "overseas_partners": f"Overseas Partner Hospital {i % 40}",
            "start_year": str(2011 + i % 5),
            "end_year": str(2016 + i % 3),
        }
        for i in range(start, start + count)
    ]


def to_csv(rows: list[dict], columns=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.django_db
def test_sample_csv_matches_the_seed_projects():
    report = import_projects(SAMPLE.read_bytes())
    assert report.ok, report.errors
    assert report.rows == 3
    assert len(report.unchanged) == 3
    assert report.created == report.updated == report.new_snippets == []


@pytest.mark.django_db
def test_import_creates_published_projects_and_missing_snippets(get_html):
    report = import_projects(to_csv(project_rows(5)))
    assert report.ok, report.errors
    assert len(report.created) == 5
    assert "health theme: Emergency care" in report.new_snippets
    assert "country: Uganda" in report.new_snippets
    assert "UK partner: UK Partner Trust 0" in report.new_snippets
    page = ProjectPage.objects.get(slug="imported-project-4")
    assert page.live and not page.has_unpublished_changes
    assert page.revisions.count() == 1
    assert {c.name for c in page.countries.all()} == {"Uganda", "Ghana"}
    assert PartnerOrganisation.objects.get(name="Overseas Partner Hospital 4").location == (
        "overseas"
    )
    html = get_html(page.url)
    assert "Overseas Partner Hospital 4" in html
    assert "2015–2017" in html
    # The new theme is now a filter on the listing.
    html = get_html("/our-work/projects/?theme=emergency-care")
    assert "Imported project 3" in html
    assert "1 project matches your filters" in html


@pytest.mark.django_db
def test_import_twice_changes_nothing_and_updates_by_slug():
    data = to_csv(project_rows(4))
    import_projects(data)
    count, themes = ProjectPage.objects.count(), HealthTheme.objects.count()
    again = import_projects(data)
    assert again.ok and again.created == [] and len(again.unchanged) == 4
    assert (ProjectPage.objects.count(), HealthTheme.objects.count()) == (count, themes)

    rows = project_rows(4)
    rows[2]["summary"] = "A new summary."
    rows[2]["countries"] = "Ghana"
    report = import_projects(to_csv(rows))
    assert report.updated == ["imported-project-2"]
    page = ProjectPage.objects.get(slug="imported-project-2")
    assert page.summary == "A new summary."
    assert [c.name for c in page.countries.all()] == ["Ghana"]
    assert page.revisions.count() == 2


@pytest.mark.django_db
def test_a_bad_row_aborts_the_whole_file_with_line_numbers():
    rows = project_rows(6)
    rows[1]["countries"] = "Atlantis"
    rows[3]["start_year"] = "soon"
    rows[4]["summary"] = ""
    rows[5]["programme"] = "No Such Programme"
    rows[5]["slug"] = "imported-project-0"
    before = (ProjectPage.objects.count(), PartnerOrganisation.objects.count())
    report = import_projects(to_csv(rows))
    assert not report.ok
    assert report.errors == [
        "Line 3: “Atlantis” is not a country we know; check the spelling",
        "Line 5: start_year “soon” is not a year such as 2012",
        "Line 6: summary is empty: a new project needs one",
        "Line 7: there is no programme called “No Such Programme”; create its page first",
        "Line 7: slug “imported-project-0” is also used on line 2",
    ]
    assert report.created == []
    assert (ProjectPage.objects.count(), PartnerOrganisation.objects.count()) == before


@pytest.mark.django_db
def test_line_numbers_count_lines_inside_quoted_cells():
    rows = project_rows(3)
    rows[0]["summary"] = "First line\nsecond line\nthird line"
    rows[2]["end_year"] = "1900"
    report = import_projects(to_csv(rows))
    assert report.errors == ["Line 6: end_year “1900” is not a year such as 2012"]


@pytest.mark.django_db
def test_dry_run_reports_but_saves_nothing():
    before = (ProjectPage.objects.count(), PartnerOrganisation.objects.count())
    report = import_projects(to_csv(project_rows(3)), dry_run=True)
    assert report.ok and len(report.created) == 3
    assert "would be created" in report.summary()
    assert (ProjectPage.objects.count(), PartnerOrganisation.objects.count()) == before


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty"),
        (b"title,summary\n", "no projects"),
        (
            b"title,colour\nA,red\n",
            "Line 1 .read as comma-separated UTF-8.: unknown column “colour”",
        ),
        (b"summary,programme\nA,B\n", "no title, slug or url column"),
        ("title,summary\nCaf\xe9,x\n".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    ],
)
@pytest.mark.django_db
def test_unusable_files_are_refused_with_a_reason(data, message):
    with pytest.raises(ImportFileError, match=message):
        import_projects(data)


@pytest.mark.django_db
def test_extra_cells_and_bom_and_header_case():
    data = "\ufeffTitle,Summary\nA,B,C\nGood project,Fine\n".encode()
    report = import_projects(data)
    assert report.errors == ["Line 2: more cells than there are columns"]


@pytest.mark.django_db
def test_command_imports_and_reports_errors(tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(to_csv(project_rows(2)))
    out = io.StringIO()
    call_command("import_projects", str(good), "--dry-run", stdout=out)
    assert "Dry run, nothing saved. 2 rows checked: 2 projects would be created" in out.getvalue()
    assert not ProjectPage.objects.filter(slug="imported-project-1").exists()
    call_command("import_projects", str(good), stdout=io.StringIO())
    assert ProjectPage.objects.get(slug="imported-project-1").live

    rows = project_rows(2)
    rows[1]["title"] = ""  # (on an existing project a blank title would keep its own)
    rows[1]["slug"] = "a-new-project"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_projects", str(bad), stdout=io.StringIO(), stderr=err)
    assert "Line 3: title is empty: a new project needs one" in err.getvalue()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_projects", str(tmp_path / "missing.csv"))


# --- the admin view ------------------------------------------------------------------------

URL = "/admin/import-projects/"


@pytest.fixture
def editor(django_user_model):
    """A Wagtail editor who may reach the admin but not publish projects."""
    user = django_user_model.objects.create_user("ed", "ed@example.org", "pw")
    group = Group.objects.create(name="Reviewers only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    return user


@pytest.mark.django_db
def test_admin_menu_and_upload_for_someone_who_may_publish(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Import projects" in html
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert "health_themes" in response.content.decode()

    upload = SimpleUploadedFile("projects.csv", to_csv(project_rows(2)), "text/csv")
    html = admin_client.post(URL, {"file": upload, "dry_run": "on"}).content.decode()
    assert "Check only: nothing was saved." in html
    assert "imported-project-1" in html
    assert not ProjectPage.objects.filter(slug="imported-project-1").exists()

    upload = SimpleUploadedFile("projects.csv", to_csv(project_rows(2)), "text/csv")
    html = admin_client.post(URL, {"file": upload}).content.decode()
    assert "2 projects were created" in html
    assert ProjectPage.objects.get(slug="imported-project-1").live


@pytest.mark.django_db
def test_admin_upload_shows_row_errors_and_file_errors(admin_client):
    rows = project_rows(2)
    rows[1]["countries"] = "Narnia"
    upload = SimpleUploadedFile("projects.csv", to_csv(rows), "text/csv")
    response = admin_client.post(URL, {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in html
    assert "Line 3: “Narnia” is not a country we know" in html
    assert not ProjectPage.objects.filter(slug="imported-project-0").exists()

    upload = SimpleUploadedFile("photo.csv", b"\xff\xd8\xff\xe0\x00\x10JFIF", "text/csv")
    html = admin_client.post(URL, {"file": upload}).content.decode()
    assert "not UTF-8" in html
    upload = SimpleUploadedFile("projects.xlsx", b"PK\x03\x04", "application/zip")
    response = admin_client.post(URL, {"file": upload})
    assert response.status_code == 200
    assert "File extension" in response.content.decode()
    response = admin_client.post(URL, {})
    assert response.status_code == 200


@pytest.mark.django_db
def test_people_who_may_not_publish_projects_cannot_import(client, editor):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(editor)
    assert "Import projects" not in client.get("/admin/").content.decode()
    response = client.get(URL)
    assert response.status_code in (302, 403)
    upload = SimpleUploadedFile("projects.csv", to_csv(project_rows(1)), "text/csv")
    client.post(URL, {"file": upload})
    assert not ProjectPage.objects.filter(slug="imported-project-0").exists()


@pytest.mark.parametrize("role, allowed", [("Comms editors", True), ("Moderators", False)])
@pytest.mark.django_db
def test_import_follows_the_editorial_roles(client, django_user_model, role, allowed):
    user = django_user_model.objects.create_user("someone", "someone@example.org", "pw")
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    assert ("Import projects" in client.get("/admin/").content.decode()) is allowed
    upload = SimpleUploadedFile("projects.csv", to_csv(project_rows(1)), "text/csv")
    client.post(URL, {"file": upload})
    assert ProjectPage.objects.filter(slug="imported-project-0").exists() is allowed


@pytest.mark.django_db
def test_the_import_page_explains_itself_and_links_what_it_made(admin_client, client, editor):
    """A sample file to download, the required columns marked, links to the pages."""
    html = admin_client.get(URL).content.decode()
    assert "Download a sample file (CSV)" in html
    for name in COLUMNS:
        assert f"<code>{name}</code>" in html
    assert html.count("<strong>Required</strong> for a new project") == 2  # title, summary
    sample = admin_client.get(URL + "?sample")
    assert sample.status_code == 200
    assert "attachment" in sample["Content-Disposition"]
    assert b"".join(sample.streaming_content) == SAMPLE.read_bytes()
    # The sample is for people who may import, like the page.
    client.force_login(editor)
    assert client.get(URL + "?sample").status_code in (302, 403)

    upload = SimpleUploadedFile("projects.csv", to_csv(project_rows(2)), "text/csv")
    html = admin_client.post(URL, {"file": upload, "dry_run": "on"}).content.decode()
    assert 'href="/our-work/projects/imported-project-1/"' not in html  # nothing made yet
    upload = SimpleUploadedFile("projects.csv", to_csv(project_rows(2)), "text/csv")
    html = admin_client.post(URL, {"file": upload}).content.decode()
    page = ProjectPage.objects.get(slug="imported-project-1")
    assert f'<a href="/our-work/projects/imported-project-1/">{page.title}</a>' in html
    assert f'href="/admin/pages/{page.pk}/edit/"' in html


def test_checking_a_file_writes_nothing_and_needs_no_query(db, django_assert_num_queries):
    """Reading and checking (partnerships/import_rows.py) is apart from writing; once
    the existing names are read, it runs no query at all."""

    lookup = Lookup()
    report = ImportReport()
    text = "title,summary,countries\nA project,What it does,Nepal; NP\nB project,,Atlantis\n"
    with django_assert_num_queries(0):
        rows = read_rows(text, lookup, report)
    assert [(row.line, row.title, [c.code for c in row.values["countries"]]) for row in rows] == [
        (2, "A project", ["NP"])
    ]
    assert report.errors == [
        "Line 3: “Atlantis” is not a country we know; check the spelling",
        "Line 3: summary is empty: a new project needs one",
    ]
    assert report.rows == 2 and not ProjectPage.objects.filter(title="A project").exists()
