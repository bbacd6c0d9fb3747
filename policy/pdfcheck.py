"""Accessibility check of an uploaded PDF: is it tagged, titled, in a language, and text?

Every PDF saved to the document library is checked once per file (``check_document``,
on Wagtail's ``post_save`` of the document): ``policy/pdfinspect.py`` reads it with
pikepdf in a child process limited to ``PDF_CHECK_MEMORY_MB`` of address space and
``PDF_CHECK_SECONDS`` of CPU and wall-clock time, so a hostile file is reported as "could
not be checked" within those bounds instead of holding or crashing the upload. The
outcome is kept in ``DocumentCheck`` (one row per document, beside Wagtail's document
table, not in it) and shown:

* to the editor: in the document's form when it is uploaded or edited, and on the
  publication's editor beside the chosen file (``policy/panels.py``), each problem with
  what to ask of the designer;
* to readers: the download says "PDF, 2.3 MB, 48 pages" and, for a PDF that failed a
  check or could not be checked, offers "Request an accessible format".
"""

import json
import logging
import math
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from policy.models import DocumentCheck
from policy.pdfinspect import peak_memory_kb
from policy.pdfreport import problems_in

logger = logging.getLogger(__name__)

INSPECTOR = Path(__file__).with_name("pdfinspect.py")


def is_pdf(document) -> bool:
    return document.file_extension.lower() == "pdf"


def inspect_file(path: str) -> dict:
    """Run the inspector on a file at ``path`` under the configured limits.

    The child is killed when ``PDF_CHECK_SECONDS`` have passed (a timer, so a child that
    never writes cannot hold the upload). Its peak memory (``peak_kb``, logged) is its
    own report when it finishes, else read from ``/proc`` just before it is killed.
    (``getrusage`` would count the web worker's memory copied before ``exec``.)
    """
    memory = int(settings.PDF_CHECK_MEMORY_MB) * 1024 * 1024
    seconds = float(settings.PDF_CHECK_SECONDS)
    command = [sys.executable, "-I", str(INSPECTOR), path, str(memory), str(math.ceil(seconds))]
    try:
        child = subprocess.Popen(  # noqa: S603 - our own script, a path we made
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin"},
        )
    except OSError:
        logger.exception("The PDF checker could not start")
        return {"error": "crashed"}
    timed_out = threading.Event()
    peak = {}

    def stop():
        timed_out.set()
        peak["kb"] = peak_memory_kb(child.pid)
        child.kill()

    timer = threading.Timer(seconds, stop)
    timer.start()
    try:
        output = child.stdout.read(65536)
        child.stdout.close()
        child.wait()
    finally:
        timer.cancel()
    if timed_out.is_set():
        return {"error": "timeout", "peak_kb": peak.get("kb")}
    try:
        result = json.loads(output or b"{}")
    except ValueError:
        result = {}
    if child.returncode != 0 or not isinstance(result, dict) or not result:
        # Killed by its CPU or memory limit, or died: the file is what made it so.
        return {"error": "too_big" if child.returncode < 0 else "crashed"}
    return result


def inspect_document(document) -> dict:
    """Copy the document's file (wherever storage keeps it) to a private temporary file
    and inspect that."""
    with tempfile.TemporaryDirectory(prefix="pdfcheck-") as folder:
        path = Path(folder) / "document.pdf"
        try:
            # The storage's own file object: the document's stays as its caller left it.
            storage = document.file.storage
            with storage.open(document.file.name, "rb") as source, path.open("wb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
        except OSError:
            return {"error": "missing"}
        return inspect_file(str(path))


def file_key(document) -> str:
    """What identifies the file checked: its hash, else its name and size."""
    return document.file_hash or f"{document.file.name}:{document.file_size}"


def check_document(document, force: bool = False):
    """Check a PDF document unless its file was checked already; the ``DocumentCheck``,
    or None for a file that is not a PDF."""
    if not document.pk or not is_pdf(document):
        return None
    key = file_key(document)
    existing = DocumentCheck.objects.filter(document=document).first()
    if existing is not None and existing.file_key == key and not force:
        return existing
    result = inspect_document(document)
    logger.info(
        "Checked PDF document %s: %s (%s kB at most)",
        document.pk,
        result.get("error") or "read",
        result.get("peak_kb"),
    )
    codes = problems_in(result)
    values = {
        "file_key": key,
        "problems": codes,
        "page_count": result.get("pages") if not result.get("error") else None,
        "image_only_pages": result.get("image_only_pages", [])[:20],
        "image_only_count": result.get("image_only_count", 0),
        "reason": result.get("error", ""),
        "title": (result.get("title") or "")[:300],
        "language": (result.get("language") or "")[:35],
    }
    if result.get("error") == "too_many_pages":
        values["page_count"] = None
    check, _created = DocumentCheck.objects.update_or_create(document=document, defaults=values)
    return check


def check_saved_document(sender, instance, raw=False, **kwargs):
    """``post_save`` of the document model: check a new or replaced PDF."""
    if raw:
        return
    try:
        check_document(instance)
    except DatabaseError:
        logger.exception("Could not store the accessibility check of document %s", instance.pk)
