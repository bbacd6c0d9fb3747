"""A restore that is proven: ``make backup`` / ``make restore FILE`` (``thet_site/backup.py``).

On PostgreSQL, as production runs: a seeded site gets a change published through the
admin and a document uploaded; it is backed up; the archive is restored into a new
database and a new media folder; the restored site, served by its own gunicorn, gives
the same key pages, the same document bytes and the same admin history.
"""

import html
import http.client
import io
import json
import os
import re
import shutil
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.servers import PreparedSite, prepare_site, running_site, site_env
from tests.test_multiserver import PG_HOST, PG_PORT, Browser, _reachable, scratch_database

pytestmark = pytest.mark.server

PASSWORD = "backup-test-password-1"
KEY_PAGES = (
    "/",
    "/about/",
    "/our-work/",
    "/our-work/projects/",
    "/our-work/projects/?theme=ncds",
    "/publications/",
    "/our-work/projects/data.csv",
    "/sitemap-pages.xml",
)
DOCUMENT_BYTES = b"%PDF-1.4\n% THET annual report, restored byte for byte\n\x00\x01\xfe\xff"


def _require_postgresql():
    missing = [tool for tool in ("pg_dump", "pg_restore") if not shutil.which(tool)]
    if not _reachable(PG_HOST, PG_PORT):
        missing.append("a PostgreSQL server on 127.0.0.1")
    if missing:
        message = f"{', '.join(missing)} missing"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must prove the restore")
        pytest.skip(message)


def fetch(base: str, path: str) -> tuple[int, bytes]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def comparable(body: bytes, base: str) -> str:
    """A page as the visitor reads it, without what differs per response or server: CSP
    nonces, CSRF tokens, the server's own address, and relative times ("2 minutes ago")."""
    text = body.decode("utf-8", "replace").replace(base, "SITE")
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return text


def history(browser: Browser, page_id: int) -> list[str]:
    """The rows of the page's history in the admin: action, user and exact time."""
    status, _, page = browser.request("GET", f"/admin/pages/{page_id}/history/")
    assert status == 200
    # The log's table: its rows have times (the page has other tables, e.g. shortcuts).
    bodies = re.findall(r"<tbody.*?</tbody>", page, flags=re.S)
    body = next(body for body in bodies if "datetime=" in body)
    rows = []
    for row in re.findall(r"<tr.*?</tr>", body, flags=re.S):
        # "3 minutes ago" changes while the test runs; the exact time is in datetime="".
        row = re.sub(r"(<time[^>]*>).*?(</time>)", r"\1\2", row, flags=re.S)
        exact = re.findall(r'datetime="([^"]*)"', row)
        words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        rows.append(f"{words} | {' '.join(exact)}")
    return rows


def snapshot(site_url: str, page_id: int, document_url: str) -> dict:
    pages = {}
    for path in KEY_PAGES:
        status, body = fetch(site_url, path)
        pages[path] = (status, comparable(body, site_url))
    status, document = fetch(site_url, document_url)
    assert status == 200, document[:300]
    editor = Browser(site_url)
    editor.log_in("editor", PASSWORD)
    return {"pages": pages, "document": document, "history": history(editor, page_id)}


EDIT = """
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.log_actions import log
from pages.models import ContentPage
from policy.models import DocumentSharing

editor = get_user_model().objects.get(username="editor")
page = ContentPage.objects.get(slug="about")
page.title = "About THET, as restored"
page.save_revision(user=editor)
document = get_document_model()(title="Annual report 2025", uploaded_by_user=editor)
document.file.save("annual-report-2025.pdf", ContentFile({data!r}), save=True)
log(instance=document, action="wagtail.create", user=editor)
# Uploading is not publishing: shared by its link, the file is public on its own.
DocumentSharing.objects.create(document=document, public_on_its_own=True, changed_by=editor)
print(page.pk, document.url)
"""


def test_a_backup_restores_the_same_site_into_a_new_database_and_media_folder(tmp_path):
    _require_postgresql()
    with scratch_database() as source_url, scratch_database() as restored_url:
        with prepare_site({"DATABASE_URL": source_url, "REQUEST_LOG": "0"}) as prepared:
            prepared.create_superuser("editor", PASSWORD)
            out = prepared.manage("shell", "-c", EDIT.format(data=DOCUMENT_BYTES)).stdout
            page_id, document_url = out.strip().splitlines()[-1].split()
            with running_site(prepared=prepared, workers=1) as site:
                editor = Browser(site.url)
                editor.log_in("editor", PASSWORD)
                editor.bulk("publish", int(page_id))  # published through the admin
                before = snapshot(site.url, int(page_id), document_url)
            assert "About THET, as restored" in before["pages"]["/about/"][1]
            assert any("Published" in row for row in before["history"]), before["history"]

            made = prepared.manage("backup", "--output-dir", str(tmp_path / "backups"))
            archive = Path(made.stdout.strip().splitlines()[-1])
            assert re.fullmatch(r"thet-backup-\d{4}-\d\d-\d\dT\d{6}Z\.tar", archive.name)
            with tarfile.open(archive) as tar:
                names = tar.getnames()
                manifest = json.load(tar.extractfile("manifest.json"))
            assert names[0] == "manifest.json" and "database.dump" in names
            assert "media/documents/annual-report-2025.pdf" in names
            assert manifest["database"] == "postgresql" and not manifest["missing_media"]

            restored_media = tmp_path / "restored-media"
            env = {
                **prepared.env,
                "DATABASE_URL": restored_url,
                "MEDIA_ROOT": str(restored_media),
                "PAGE_CACHE_DIR": str(tmp_path / "restored-pages"),
            }
            restored = PreparedSite(root=prepared.root, env=env)
            restored.manage("restore", str(archive))
            # A second restore into the now full database is refused, not merged.
            again = restored.manage("restore", str(archive), check=False)
            assert again.returncode != 0 and "not empty" in again.stderr
            assert (restored_media / "documents" / "annual-report-2025.pdf").read_bytes() == (
                DOCUMENT_BYTES
            )
            with running_site(prepared=restored, workers=1) as site:
                after = snapshot(site.url, int(page_id), document_url)

    assert after["document"] == DOCUMENT_BYTES == before["document"]
    for path in KEY_PAGES:
        assert after["pages"][path][0] == before["pages"][path][0] == 200, path
        assert after["pages"][path][1] == before["pages"][path][1], path
    assert after["history"] == before["history"]


def test_a_damaged_archive_is_refused_before_anything_is_written(tmp_path):
    """The checksums are read before the database or media are touched."""
    _require_postgresql()
    archive = tmp_path / "thet-backup-damaged.tar"
    body = b"not the dump it claims to be"
    manifest = {
        "format": 1,
        "created": "2026-01-01T00:00:00+00:00",
        "database": "postgresql",
        "missing_media": [],
        "files": {"database.dump": {"size": 4, "sha256": "0" * 64}},
    }
    with tarfile.open(archive, "w") as tar:
        for name, data in (
            ("manifest.json", json.dumps(manifest).encode()),
            ("database.dump", body),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, fileobj=io.BytesIO(data))
    with scratch_database() as url:
        site = PreparedSite(root=tmp_path, env=site_env(tmp_path, {"DATABASE_URL": url}))
        result = site.manage("restore", str(archive), check=False)
    assert result.returncode != 0 and "damaged" in result.stderr
    assert not (tmp_path / "media").exists()
