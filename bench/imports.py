"""`make bench-imports`: how long the admin's project import keeps the editor waiting.

Builds a fresh database (PostgreSQL when DATABASE_URL is set, else a temporary SQLite
file), migrated and seeded, then in one process, through Django's test client as a
signed-in editor (production settings, ``PROJECT_IMPORT_RUNNER`` as deployed):

1. uploads the largest accepted file, 4,999 new projects: the time until the editor has
   an answer (the import's own page), then the background import itself, run as
   ``manage.py run_project_imports --job`` runs it;
2. uploads the same 4,999 projects again, each with two changed cells (the listing's
   download edited and imported back): the answer, then the background import;
3. uploads the largest file still imported while the editor waits
   (``PROJECT_IMPORT_INLINE_ROWS``, 50 rows), each row an update (the slow kind).

Each answer is reported against gunicorn's worker timeout (``GUNICORN_TIMEOUT``, 30 s):
the target is a third of it. Writes ``bench/results-imports.md`` (``BENCH_OUTPUT``).
``BENCH_IMPORT_ROWS`` (4999) sets the size of the large file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import subprocess  # noqa: S404 - our own manage.py and this script
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "4999"))
OUTPUT = Path(os.environ.get("BENCH_OUTPUT", ROOT / "bench" / "results-imports.md"))
TIMEOUT = int(os.environ.get("GUNICORN_TIMEOUT", "30"))


def projects_csv(count: int, start: int = 0, year: int = 2020, note: str = "") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["title", "slug", "summary", "countries", "health_themes", "uk_partners", "start_year"]
    )
    for n in range(start, start + count):
        writer.writerow(
            [
                f"Bench project {n}",
                f"bench-project-{n}",
                f"What bench project {n} does.{note}",
                "Uganda; Ghana",
                "Mental health",
                f"Bench UK partner {n % 50}",
                year,
            ]
        )
    return out.getvalue().encode()


def measure() -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from partnerships import import_jobs
    from partnerships.models import ProjectImport

    settings.REQUIRE_2FA = False
    import_jobs.launch = lambda job_id: None  # (run below, as its process would)
    user = get_user_model().objects.create_superuser(
        f"bench-{secrets.token_hex(3)}", "bench@example.org", secrets.token_urlsafe()
    )
    client = Client()
    client.force_login(user)

    def upload(data: bytes) -> tuple[float, float | None, dict]:
        started = time.perf_counter()
        response = client.post(
            "/admin/import-projects/",
            {"file": SimpleUploadedFile("bench.csv", data, "text/csv")},
            secure=True,
        )
        answer = time.perf_counter() - started
        if response.status_code == 200:  # imported while the editor waited
            return answer, None, {}
        if response.status_code != 302:
            raise SystemExit(f"the upload answered {response.status_code}")
        job = ProjectImport.objects.order_by("-created_at").first()
        started = time.perf_counter()
        import_jobs.run(job.pk)
        background = time.perf_counter() - started
        job.refresh_from_db()
        if job.status != ProjectImport.DONE:
            raise SystemExit(f"the import did not finish: {job.error}")
        report = job.report
        return answer, background, {k: len(report[k]) for k in ("created", "updated")}

    inline = settings.PROJECT_IMPORT_INLINE_ROWS
    results = {"rows": ROWS, "inline_rows": inline}
    results["create"] = upload(projects_csv(ROWS))
    results["update"] = upload(projects_csv(ROWS, year=2021, note=" Edited."))
    results["inline_update"] = upload(projects_csv(inline, year=2022, note=" Again."))
    return results


def main() -> None:
    if sys.argv[1:] == ["--measure"]:
        print(json.dumps(measure()))
        return
    tmp = Path(tempfile.mkdtemp(prefix="thet-bench-imports-"))
    env = dict(
        os.environ,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="testserver",
        PAGE_CACHE_DIR=str(tmp / "pages"),
        MEDIA_ROOT=str(tmp / "media"),
        REQUEST_LOG="0",
        STATIC_MANIFEST="0",
        DJANGO_SETTINGS_MODULE="thet_site.settings",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    print("building the database (migrate, seed)...", flush=True)
    for command in (["migrate", "--noinput", "-v0"], ["load_seed_content"]):
        subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True)  # noqa: S603
    print(f"importing {ROWS} projects, then updating them...", flush=True)
    out = subprocess.run(  # noqa: S603
        [PY, "bench/imports.py", "--measure"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    results = json.loads(out.strip().splitlines()[-1])
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    lines = [
        "# Admin project import: how long the editor waits",
        "",
        f"{database}; `python bench/imports.py` (`make bench-imports`); worker timeout "
        f"{TIMEOUT} s, target: an answer within a third of it ({TIMEOUT / 3:.0f} s).",
        "",
        "| file | answer to the upload | share of the timeout | imported in the background |",
        "| --- | --- | --- | --- |",
    ]
    names = {
        "create": f"{results['rows']:,} new projects",
        "update": f"the same {results['rows']:,}, two cells changed in each",
        "inline_update": f"{results['inline_rows']} updates (the largest file imported "
        "while the editor waits)",
    }
    worst = 0.0
    for key, name in names.items():
        answer, background, counts = results[key]
        worst = max(worst, answer)
        done = (
            f"{background:.1f} s ({counts['created']:,} created, {counts['updated']:,} updated)"
            if background is not None
            else "— (imported in the request)"
        )
        lines.append(f"| {name} | {answer:.2f} s | {answer / TIMEOUT:.3f} | {done} |")
    lines += ["", f"Longest answer: {worst:.2f} s, {worst / TIMEOUT:.3f} of the timeout."]
    OUTPUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if worst > TIMEOUT / 3:
        raise SystemExit(f"an upload took {worst:.1f} s, more than a third of {TIMEOUT} s")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
