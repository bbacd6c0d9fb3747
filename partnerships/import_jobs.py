"""Large project imports, run outside the web request, with their progress and result.

A file of up to ``PROJECT_IMPORT_INLINE_ROWS`` rows (50) is imported while the editor
waits, in a second or two. A larger one (up to 4,999 rows) would take longer than a web
worker may (``GUNICORN_TIMEOUT``, 30 s): updating a project through Wagtail costs about 40
ms, so a whole listing's download edited and imported back takes minutes. Such a file is
stored as a :class:`~partnerships.models.ProjectImport` and imported by
``manage.py run_project_imports --job ID``, a process of its own started at once by the
web worker (``PROJECT_IMPORT_RUNNER = "process"``). The editor is sent to the import's own
page, which shows a progress bar while it runs and its report when it is done; the admin's
"Import projects" page lists recent imports, so the editor can leave and come back.

- The import is still all or nothing: it runs in one transaction, so an import that is
  stopped half-way (the server restarted) has written nothing. One that has given no sign
  of life for ``STALE_SECONDS`` is shown as stopped, with a button to run it again.
- Its progress (which step, how many rows) is kept in the cache every process shares (the
  page cache's: Redis, or the site's private cache folder), as the import's own database
  transaction is not visible to others until it ends.
- ``manage.py run_project_imports`` without ``--job`` runs any import still waiting (if
  a worker could not start its process) and marks stopped ones: run it from cron next to
  ``publish_scheduled``.
- The tests run imports in the request instead (``PROJECT_IMPORT_RUNNER = "inline"``);
  the browser suite runs the real process through the production server.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess  # noqa: S404 - our own manage.py, no shell
import sys
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from partnerships.import_rows import CHECKING, INDEXING, WRITING, ImportReport
from partnerships.importers import ImportFileError, import_projects
from partnerships.models import ProjectImport

logger = logging.getLogger(__name__)

# An import that has said nothing for this long has stopped (its process was killed).
STALE_SECONDS = 600
# Finished imports are forgotten after this long.
KEPT_DAYS = 30
# Each step's share of the whole progress bar, and how it is named.
STEPS = {
    CHECKING: (0, 10, "Checking the rows"),
    WRITING: (10, 90, "Writing the projects"),
    INDEXING: (90, 100, "Updating the search index"),
}
_children: list[subprocess.Popen] = []


def _cache():
    # The cache every process of the site shares (Redis, or a folder of the site's own).
    return caches[settings.PAGE_CACHE_ALIAS]


def _progress_key(job_id) -> str:
    return f"project-import:{job_id}"


def start(data: bytes, file_name: str, *, dry_run: bool, lines: int, user) -> ProjectImport:
    """Store ``data`` as a new import and set it running (see the module's docstring)."""
    ProjectImport.objects.filter(
        finished_at__lt=timezone.now() - timedelta(days=KEPT_DAYS)
    ).delete()
    job = ProjectImport.objects.create(
        data=data, file_name=file_name[:255], dry_run=dry_run, lines=lines, user=user
    )
    if settings.PROJECT_IMPORT_RUNNER == "inline":
        run(job.pk)
    else:
        transaction.on_commit(lambda: launch(job.pk))
    return job


def launch(job_id) -> None:
    """Start ``manage.py run_project_imports --job <job_id>`` as a process of its own,
    which goes on if the web worker is recycled and is not bound by its timeouts."""
    global _children
    _children = [child for child in _children if child.poll() is None]  # (reaped)
    # A command, not a web request: no statement timeout (thet_site/database.py).
    environ = {name: value for name, value in os.environ.items() if name != "THET_WEB_PROCESS"}
    command = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    try:
        child = subprocess.Popen(  # noqa: S603 - our own manage.py and a UUID
            [*command, "run_project_imports", "--job", str(job_id)],
            cwd=settings.BASE_DIR,
            env=environ,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # (not stopped with the worker)
        )
    except OSError:
        # It waits; ``run_project_imports`` from cron picks it up, or its page says it
        # has not started and offers to run it again.
        logger.exception("Could not start the import %s", job_id)
        return
    _children.append(child)


class _Tracker:
    """What ``import_projects`` reports, into the shared cache, at most twice a second
    (and at every new step)."""

    def __init__(self, job: ProjectImport):
        self.key = _progress_key(job.pk)
        self.step = ""
        self.said = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if step == self.step and now - self.said < 0.5:
            return
        self.step, self.said = step, now
        try:
            _cache().set(
                self.key,
                {"step": step, "done": done, "total": total, "at": time.time()},
                timeout=STALE_SECONDS * 6,
            )
        except Exception:  # noqa: BLE001 - the bar stops moving; the import goes on
            logger.warning("Could not record the progress of an import", exc_info=True)


def run(job_id) -> ProjectImport | None:
    """Import the waiting job ``job_id``; None if it is not waiting (another process has
    it, or it has finished)."""
    claimed = ProjectImport.objects.filter(pk=job_id, status=ProjectImport.QUEUED).update(
        status=ProjectImport.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ProjectImport.objects.select_related("user").get(pk=job_id)
    tracker = _Tracker(job)
    tracker(CHECKING, 0, job.lines)
    try:
        report = import_projects(
            bytes(job.data), dry_run=job.dry_run, user=job.user, progress=tracker
        )
    except ImportFileError as error:
        job.status, job.error = ProjectImport.FAILED, str(error)
    except Exception:
        logger.exception("The import %s failed", job_id)
        job.status = ProjectImport.FAILED
        job.error = (
            "The import stopped because of an error on the server; nothing was saved. "
            "Try again; if it happens again, tell the web team the time it happened."
        )
    else:
        job.status, job.report = ProjectImport.DONE, dataclasses.asdict(report)
    job.finished_at = timezone.now()
    # Whatever happened, even if a page took the import for stopped meanwhile: this is
    # what was (or was not) committed.
    ProjectImport.objects.filter(pk=job.pk).update(
        status=job.status, error=job.error, report=job.report, finished_at=job.finished_at
    )
    _cache().delete(tracker.key)
    return job


def report_of(job: ProjectImport) -> ImportReport | None:
    """The report a finished import stored."""
    if not job.report:
        return None
    return ImportReport(**job.report)


def state(job: ProjectImport) -> dict[str, Any]:
    """Where ``job`` has got to, for its page and its progress bar: ``status`` (one of the
    model's), ``label`` and ``percent`` (0 to 100, or None when not known)."""
    if job.finished:
        return {"status": job.status, "label": job.get_status_display(), "percent": 100}
    try:
        progress = _cache().get(_progress_key(job.pk))
    except Exception:  # noqa: BLE001 - a cache outage: the bar is not known
        progress = None
    alive = job.started_at or job.created_at
    if progress:
        alive = max(alive, timezone.now() - timedelta(seconds=time.time() - progress["at"]))
    if timezone.now() - alive > timedelta(seconds=STALE_SECONDS):
        stop(job)
        return state(job)
    if job.status == ProjectImport.QUEUED:
        return {"status": job.status, "label": "Waiting to start", "percent": 0}
    if not progress:
        return {"status": job.status, "label": "Running", "percent": None}
    low, high, label = STEPS.get(progress["step"], (0, 100, "Running"))
    total = progress["total"] or (job.lines if progress["step"] == CHECKING else 0)
    percent = low
    if total:
        done = min(progress["done"], total)
        percent = low + (high - low) * done // total
        label = f"{label}: {done:,} of {total:,}"
    return {"status": job.status, "label": label, "percent": percent}


def stop(job: ProjectImport) -> None:
    """Mark ``job``, which has given no sign of life for ``STALE_SECONDS``, as stopped."""
    job.status = ProjectImport.FAILED
    job.finished_at = timezone.now()
    job.error = (
        "The import stopped before it finished (the server may have restarted). Nothing "
        "was saved: an import is all or nothing. Run it again."
    )
    running = [ProjectImport.QUEUED, ProjectImport.RUNNING]
    ProjectImport.objects.filter(pk=job.pk, status__in=running).update(
        status=job.status, finished_at=job.finished_at, error=job.error
    )


def run_waiting() -> list[ProjectImport]:
    """Mark stopped imports, then run every import still waiting, oldest first."""
    pending = ProjectImport.objects.filter(
        status__in=[ProjectImport.QUEUED, ProjectImport.RUNNING]
    ).defer("data")
    for job in pending:
        state(job)  # (marks it stopped if it is)
    done = []
    waiting = ProjectImport.objects.filter(status=ProjectImport.QUEUED).order_by("created_at")
    for job_id in waiting.values_list("pk", flat=True):
        job = run(job_id)
        if job is not None:
            done.append(job)
    return done
