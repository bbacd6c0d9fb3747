"""Large imports run in the background: the upload sends the editor to the import's own
page, which shows its progress while it runs and its report when it is done, and which
the editor can come back to from "Recent imports". (Here the import runs inside the
request, ``PROJECT_IMPORT_RUNNER = "inline"``, as the test's transaction is invisible to
another process; tests/browser/test_import_round_trip.py runs the real process.)"""

import re
import subprocess
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships import import_jobs
from partnerships.import_rows import WRITING
from partnerships.models import ProjectImport, ProjectIndexPage, ProjectPage
from tests.test_import import URL, project_rows, to_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_threshold(settings):
    settings.PROJECT_IMPORT_INLINE_ROWS = 5


@pytest.fixture
def comms(client, django_user_model):
    user = django_user_model.objects.create_user("comms", "comms@example.org", "pw")
    user.groups.add(Group.objects.get(name="Comms editors"))
    client.force_login(user)
    return user


def post(client, data: bytes, *, dry_run: bool = False, name: str = "projects.csv"):
    upload = SimpleUploadedFile(name, data, "text/csv")
    return client.post(URL, {"file": upload, **({"dry_run": "on"} if dry_run else {})})


def job_url(job) -> str:
    return reverse("partnerships_import_job", args=(job.pk,))


def running(user, file_name: str, *, seconds_ago: int, data=b"", lines=7) -> ProjectImport:
    """An import its process started ``seconds_ago`` (and has said nothing since)."""
    return ProjectImport.objects.create(
        file_name=file_name,
        data=data,
        lines=lines,
        user=user,
        status=ProjectImport.RUNNING,
        started_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_small_file_is_imported_while_the_editor_waits(client, comms):
    response = post(client, to_csv(project_rows(5)))
    assert response.status_code == 200
    assert "5 projects were created" in response.content.decode()
    assert not ProjectImport.objects.exists()


def test_a_large_file_goes_to_its_own_page_with_the_report(client, comms):
    response = post(client, to_csv(project_rows(12)), name="autumn.csv")
    job = ProjectImport.objects.get()
    assert response.status_code == 302 and response.url == job_url(job)
    assert job.status == ProjectImport.DONE and job.user == comms and job.lines == 12
    assert ProjectPage.objects.live().filter(slug__startswith="imported-project-").count() == 12

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Report for autumn.csv" in html
    assert "12 rows checked: 12 projects were created" in text(html)
    # Linked, as the upload page links what it made.
    project = ProjectPage.objects.get(slug="imported-project-3")
    assert f'href="/admin/pages/{project.pk}/edit/"' in html
    assert 'href="/our-work/projects/imported-project-3/"' in html
    # And listed on the upload page, to come back to.
    upload_page = client.get(URL).content.decode()
    assert "Recent imports" in upload_page and job_url(job) in upload_page
    assert "autumn.csv" in upload_page


def test_a_large_check_then_import_this_file_now(client, comms):
    response = post(client, to_csv(project_rows(8)), dry_run=True)
    check = ProjectImport.objects.get()
    html = client.get(response.url).content.decode()
    assert "Check only: nothing was saved." in html
    assert "8 projects would be created" in text(html)
    assert "Import this file now" in html
    assert not ProjectPage.objects.filter(slug__startswith="imported-project-").exists()

    again = reverse("partnerships_import_job_again", args=(check.pk,))
    response = client.post(again, {"dry_run": "0"})
    job = ProjectImport.objects.exclude(pk=check.pk).get()
    assert response.url == job_url(job) and not job.dry_run
    assert "8 projects were created" in text(client.get(job_url(job)).content.decode())
    assert ProjectPage.objects.filter(slug__startswith="imported-project-").count() == 8


def test_rows_with_problems_are_reported_on_the_page_and_nothing_is_saved(client, comms):
    rows = project_rows(9)
    rows[4]["start_year"] = "next year"
    response = post(client, to_csv(rows))
    html = text(client.get(response.url).content.decode())
    assert "Nothing was imported: 1 problem found in 9 rows." in html
    assert "Line 6:" in html
    assert not ProjectPage.objects.filter(slug__startswith="imported-project-").exists()


def test_a_file_that_cannot_be_read_is_refused_at_once(client, comms):
    data = b"colour,size\n" + b"red,big\n" * 20
    response = post(client, data)
    assert response.status_code == 200
    assert "columns" in response.content.decode()
    assert not ProjectImport.objects.exists()


def test_the_progress_while_it_runs(client, comms):
    job = running(comms, "big.csv", lines=4999, seconds_ago=0)
    import_jobs._Tracker(job)(WRITING, 1200, 4999)
    html = client.get(job_url(job)).content.decode()
    assert "Importing big.csv" in html
    bar = re.search(r"<progress[^>]*>", html).group(0)
    assert 'max="100"' in bar and 'value="29"' in bar  # 10% checking + 80% × 1200/4999
    assert "Writing the projects: 1,200 of 4,999 (29%)" in html
    assert "Check again" in html and "import-progress.js" in html
    state = client.get(reverse("partnerships_import_job_progress", args=(job.pk,)))
    assert state.json() == {
        "status": "running",
        "label": "Writing the projects: 1,200 of 4,999",
        "percent": 29,
    }
    assert "no-store" in state["Cache-Control"]


def test_an_import_that_stopped_says_so_and_runs_again(client, comms):
    data = to_csv(project_rows(7))
    job = running(comms, "big.csv", data=data, seconds_ago=import_jobs.STALE_SECONDS + 60)
    # Listed as stopped on the upload page, and said so on its own page.
    listed = re.search(r"<tr><td><a[^>]*>big.csv</a>.*?</tr>", client.get(URL).content.decode())
    assert "Stopped" in listed.group(0)
    job.refresh_from_db()
    assert job.status == ProjectImport.FAILED
    html = text(client.get(job_url(job)).content.decode())
    assert "did not finish" in html and "Nothing was saved" in html
    response = client.post(
        reverse("partnerships_import_job_again", args=(job.pk,)), {"dry_run": "0"}
    )
    again = ProjectImport.objects.exclude(pk=job.pk).get()
    assert response.url == job_url(again) and again.status == ProjectImport.DONE
    assert ProjectPage.objects.filter(slug__startswith="imported-project-").count() == 7


def test_an_error_on_the_server_stops_it_and_saves_nothing(client, comms, monkeypatch):
    def broken(*args, **kwargs):
        ProjectPage.objects.filter(slug="nothing").update(title="x")
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_jobs, "import_projects", broken)
    response = post(client, to_csv(project_rows(6)))
    html = text(client.get(response.url).content.decode())
    assert "did not finish" in html and "error on the server" in html
    assert "disk full" not in html  # (logged, not shown)
    assert ProjectImport.objects.get().status == ProjectImport.FAILED


def test_the_web_worker_starts_a_process_after_the_commit(
    client, comms, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.PROJECT_IMPORT_RUNNER = "process"
    started = []

    class FakePopen:
        def __init__(self, command, **options):
            started.append((command, options))

        def poll(self):
            return None

    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    monkeypatch.setenv("THET_WEB_PROCESS", "1")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(client, to_csv(project_rows(9)))
    job = ProjectImport.objects.get()
    assert response.url == job_url(job) and job.status == ProjectImport.QUEUED
    assert started == []  # not before the job is committed
    html = text(client.get(job_url(job)).content.decode())
    assert "Waiting to start" in html
    for callback in callbacks:
        callback()
    [(command, options)] = started
    assert command[-3:] == ["run_project_imports", "--job", str(job.pk)]
    assert options["start_new_session"] is True
    # A command's connection: no web request's statement timeout.
    assert "THET_WEB_PROCESS" not in options["env"]

    # What that process runs: the command, once.
    call_command("run_project_imports", "--job", str(job.pk), verbosity=0)
    job.refresh_from_db()
    assert job.status == ProjectImport.DONE
    assert ProjectPage.objects.filter(slug__startswith="imported-project-").count() == 9
    assert import_jobs.run(job.pk) is None  # finished: not run twice


def test_the_cron_command_runs_waiting_imports_and_marks_stopped_ones(comms):
    waiting = ProjectImport.objects.create(
        file_name="a.csv", data=to_csv(project_rows(6)), lines=6, user=comms
    )
    stopped = running(comms, "b.csv", seconds_ago=3600)
    call_command("run_project_imports", verbosity=0)
    waiting.refresh_from_db()
    stopped.refresh_from_db()
    assert waiting.status == ProjectImport.DONE and waiting.report["created"]
    assert stopped.status == ProjectImport.FAILED and "stopped" in stopped.error


def test_old_finished_imports_are_forgotten(client, comms):
    old = ProjectImport.objects.create(
        file_name="old.csv",
        data=b"x",
        status=ProjectImport.DONE,
        finished_at=timezone.now() - timedelta(days=import_jobs.KEPT_DAYS + 1),
    )
    post(client, to_csv(project_rows(6)))
    assert not ProjectImport.objects.filter(pk=old.pk).exists()


def test_the_result_page_costs_the_same_for_a_large_file(client, comms):
    def queries(rows: int, start: int) -> int:
        post(client, to_csv(project_rows(rows, start=start)))
        job = ProjectImport.objects.order_by("-created_at").first()
        client.get(job_url(job))  # (the admin's own first-visit look-ups)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(job_url(job))
        assert f"{rows} projects were created" in text(response.content.decode())
        return len(ctx)

    assert queries(300, start=0) == queries(10, start=1000)


# --- who may: a real GET and POST for each ---------------------------------------------


@pytest.fixture
def job(django_user_model):
    owner = django_user_model.objects.create_user("owner", "owner@example.org", "pw")
    return ProjectImport.objects.create(
        file_name="p.csv",
        data=to_csv(project_rows(6)),
        lines=6,
        user=owner,
        status=ProjectImport.DONE,
        report={"dry_run": True, "rows": 6},
        finished_at=timezone.now(),
    )


def test_a_moderator_can_neither_see_nor_run_an_import(client, django_user_model, job):
    user = django_user_model.objects.create_user("mod", "mod@example.org", "pw")
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    for url in (job_url(job), reverse("partnerships_import_job_progress", args=(job.pk,))):
        assert client.get(url).status_code in (302, 403)
    response = client.post(
        reverse("partnerships_import_job_again", args=(job.pk,)), {"dry_run": "0"}
    )
    assert response.status_code in (302, 403)
    assert ProjectImport.objects.count() == 1
    assert not ProjectPage.objects.filter(slug__startswith="imported-project-").exists()


def test_a_visitor_is_sent_to_sign_in(client, job):
    for url in (job_url(job), reverse("partnerships_import_job_again", args=(job.pk,))):
        response = client.post(url) if url.endswith("again/") else client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    assert ProjectImport.objects.count() == 1


def test_another_comms_editor_sees_it_and_bad_addresses_are_404(client, comms, job):
    assert client.get(job_url(job)).status_code == 200
    missing = reverse("partnerships_import_job", args=(uuid.uuid4(),))
    assert client.get(missing).status_code == 404
    assert client.get(URL + "not-a-uuid/").status_code == 404
    again = reverse("partnerships_import_job_again", args=(job.pk,))
    assert client.get(again).status_code == 405


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row locks")
def test_an_upload_does_not_wait_for_an_import_being_written(client, comms, settings):
    """While another import holds the project listing (a second connection, as the
    import's own process would), an upload imported in the request says so at once."""
    settings.PROJECT_IMPORT_INLINE_ROWS = 50
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        table = ProjectIndexPage._meta.db_table
        other.cursor().execute(f'SELECT 1 FROM "{table}" FOR UPDATE')  # noqa: S608
        response = post(client, to_csv(project_rows(3)))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Another import is being written right now" in html
    finally:
        other.rollback()
        other.close()
    assert not ProjectPage.objects.filter(slug__startswith="imported-project-").exists()
