"""One dated archive of everything the charity's content is: ``make backup`` / ``make restore``.

What the archive (``thet-backup-<UTC time>.tar``, plain tar) holds:

* ``manifest.json`` (first): when, from which database engine, and every other member
  with its size and SHA-256, checked before anything is restored;
* ``database.dump``: PostgreSQL's own dump (``pg_dump --format=custom``), or
  ``database.sqlite3``: a copy made with SQLite's online backup API;
* ``media/<name>``: the file of every document and every original image the dumped
  database names (renditions are made again from the originals when pages ask for them).

Consistent: on PostgreSQL the dump and the list of files come from one snapshot
(``pg_export_snapshot`` in a repeatable-read transaction, passed to ``pg_dump
--snapshot``), so the archive holds exactly the files that database refers to, whatever
editors upload or delete meanwhile; on SQLite the list is read from the copy itself.

Restoring needs a fresh database (no tables; for PostgreSQL, created empty beforehand)
and writes the media files under their own names to the site's storage on the
filesystem (``MEDIA_ROOT``). Files in a bucket are restored by copying the archive's
``media/`` folder into it (docs/DEPLOY.md). Afterwards the page cache's generation is
replaced, so no page cached from another database is served.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore, list argv, no shell
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files.storage import Storage, storages
from django.db import connection, transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from thet_site.pagecache import bump_generation
from thet_site.storage import is_document

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media/"


class BackupError(Exception):
    """Something the operator must fix; the message says what."""


def _file_models() -> tuple[type[Any], type[Any]]:  # Wagtail's models: untyped
    return (get_document_model(), get_image_model())


def _pg_env() -> dict[str, str]:
    """libpq's variables for the default database (the password never on a command line)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True)  # noqa: S603
    if result.returncode:
        raise BackupError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()}")


def _dump_postgresql(target: Path) -> list[str]:
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ]
        )
        # The same snapshot: the files this very dump refers to.
        return sorted(
            {
                name
                for model in _file_models()
                for name in model.objects.values_list("file", flat=True)
            }
        )


def _dump_sqlite(target: Path) -> list[str]:
    source = sqlite3.connect(connection.settings_dict["NAME"])
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        names = set()
        for model in _file_models():
            table = model._meta.db_table
            names |= {row[0] for row in copy.execute(f'SELECT file FROM "{table}"')}  # noqa: S608
        return sorted(names)
    finally:
        copy.close()
        source.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _storage_for(name: str) -> Storage:
    return storages["documents" if is_document(name) else "media"]


def back_up(folder: Path) -> Path:
    """Write the archive into ``folder``; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y-%m-%dT%H%M%SZ")
    archive = folder / f"thet-backup-{stamp}.tar"
    vendor = connection.vendor
    with tempfile.TemporaryDirectory(prefix="thet-backup-") as scratch_name:
        scratch = Path(scratch_name)
        if vendor == "postgresql":
            database = scratch / "database.dump"
            names = _dump_postgresql(database)
        elif vendor == "sqlite":
            database = scratch / "database.sqlite3"
            names = _dump_sqlite(database)
        else:
            raise BackupError(f"Backing up a {vendor} database is not supported.")
        members = {database.name: database}
        missing = []
        for name in filter(None, names):
            local = scratch / "media" / name
            local.parent.mkdir(parents=True, exist_ok=True)
            try:
                with _storage_for(name).open(name, "rb") as source, local.open("wb") as out:
                    shutil.copyfileobj(source, out)
            except FileNotFoundError:
                missing.append(name)
                continue
            members[MEDIA + name] = local
        manifest = {
            "format": FORMAT,
            "created": timezone.now().isoformat(),
            "database": vendor,
            "missing_media": missing,
            "files": {
                member: {"size": path.stat().st_size, "sha256": _sha256(path)}
                for member, path in members.items()
            },
        }
        partial = archive.with_suffix(".tar.part")
        with tarfile.open(partial, "w") as tar:
            body = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
            for member, path in members.items():
                tar.add(path, arcname=member, recursive=False)
        partial.replace(archive)  # never a half-written archive under the final name
    return archive


def _safe_member(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name:
        raise BackupError(f"The archive holds an unsafe name: {name!r}.")
    return name


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = tar.extractfile(MANIFEST)
        if handle is None:  # a folder or a link of that name
            raise ValueError(f"{MANIFEST} is not a file")
        manifest = json.load(handle)
    except (KeyError, ValueError, TypeError) as error:
        raise BackupError(f"Not a THET backup (no readable {MANIFEST}): {error}") from error
    if not isinstance(manifest, dict):
        raise BackupError(f"Not a THET backup ({MANIFEST} is not a JSON object).")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def restore(archive: Path) -> dict[str, Any]:
    """Bring the database and media in ``archive`` back into the configured (fresh) ones."""
    with tarfile.open(archive, "r:") as tar, tempfile.TemporaryDirectory() as scratch:
        manifest = read_manifest(tar)
        files = manifest["files"]
        # Every member checked against the manifest before anything is written.
        extracted = {}
        for member, expected in files.items():
            _safe_member(member)
            source = tar.extractfile(member)
            if source is None:
                raise BackupError(f"{member} is missing from the archive.")
            local = Path(scratch) / "files" / member
            local.parent.mkdir(parents=True, exist_ok=True)
            with local.open("wb") as out:
                shutil.copyfileobj(source, out)
            if _sha256(local) != expected["sha256"]:
                raise BackupError(f"{member} does not match its checksum: the archive is damaged.")
            extracted[member] = local
        vendor = manifest["database"]
        if vendor != connection.vendor:
            raise BackupError(
                f"The archive holds a {vendor} database; this site uses {connection.vendor}."
            )
        if connection.introspection.table_names():
            raise BackupError("The database is not empty: restore into a fresh one.")
        if vendor == "postgresql":
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={connection.settings_dict['NAME']}",
                    str(extracted["database.dump"]),
                ]
            )
        else:
            connection.close()
            target = sqlite3.connect(connection.settings_dict["NAME"])
            copy = sqlite3.connect(extracted["database.sqlite3"])
            try:
                copy.backup(target)
            finally:
                copy.close()
                target.close()
        restored = 0
        for member, local in extracted.items():
            if not member.startswith(MEDIA):
                continue
            name = member[len(MEDIA) :]
            storage = _storage_for(name)
            try:
                path = Path(storage.path(name))
            except NotImplementedError as error:
                raise BackupError(
                    "Media in a bucket: copy the archive's media/ folder into it instead."
                ) from error
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(local, path)
            restored += 1
    connection.close()
    bump_generation()
    return {"database": vendor, "media": restored, "created": manifest["created"]}
