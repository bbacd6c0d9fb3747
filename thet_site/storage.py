"""Where uploads are kept: documents apart from images, and no file name used twice.

``STORAGES["default"]`` is ``MediaStorage``, which Wagtail's image and document models use
through their file fields. It sends every name under ``documents/`` to the ``documents``
storage and every other name to the ``media`` storage (both configured by
``thet_site.env.media_storages``). On the filesystem both are MEDIA_ROOT; on S3 the
documents' storage is private (no public ACL, signed URLs) while images may be public.
The names stored in the database are the same either way, so moving documents to another
bucket or folder is a copy, not a migration.

``UniqueImageNamesMixin`` gives every new original image and rendition a file name that no
earlier file had, so the site can tell browsers to keep them for a year: a replaced image
(or one deleted and uploaded again under the same name) never reuses an old URL.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.crypto import get_random_string
from django.utils.deconstruct import deconstructible

DOCUMENTS_PREFIX = "documents/"
IMAGE_FOLDERS = ("images/", "original_images/")


def _clean(name: object) -> str:
    return str(name).replace("\\", "/").lstrip("/")


def is_document(name: object) -> bool:
    """Whether a storage name is a Wagtail document's file (under ``documents/``)."""
    return _clean(name).startswith(DOCUMENTS_PREFIX)


class UniqueImageNamesMixin(Storage):
    """Every new file under images/ or original_images/ gets a random suffix."""

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        if _clean(name).startswith(IMAGE_FOLDERS):
            root, ext = os.path.splitext(name)
            name = f"{root}_{get_random_string(7)}{ext}"
        return super().get_available_name(name, max_length=max_length)


@deconstructible(path="thet_site.storage.MediaFileSystemStorage")
class MediaFileSystemStorage(UniqueImageNamesMixin, FileSystemStorage):
    """MEDIA_ROOT, with image names never reused."""


try:
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover - django-storages is in requirements.txt
    S3Storage = None
else:

    @deconstructible(path="thet_site.storage.MediaS3Storage")
    class MediaS3Storage(UniqueImageNamesMixin, S3Storage):  # type: ignore[misc]  # untyped base
        """An S3-compatible bucket, with image names never reused."""


@deconstructible(path="thet_site.storage.MediaStorage")
class MediaStorage(Storage):
    """Documents to the ``documents`` storage, everything else to ``media``."""

    def for_name(self, name: str | os.PathLike[str] | None) -> Storage:
        return storages["documents" if is_document(name) else "media"]

    def open(self, name: str, mode: str = "rb") -> File[Any]:
        return self.for_name(name).open(name, mode)

    def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
        return self.for_name(name).save(name, content, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.for_name(filename).generate_filename(filename)

    def get_valid_name(self, name: str) -> str:
        return storages["media"].get_valid_name(name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.for_name(name).get_available_name(name, max_length=max_length)

    def path(self, name: str) -> str:
        return self.for_name(name).path(name)

    def delete(self, name: str) -> None:
        return self.for_name(name).delete(name)

    def exists(self, name: str) -> bool:
        return self.for_name(name).exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.for_name(path).listdir(path)

    def size(self, name: str) -> int:
        return self.for_name(name).size(name)

    def url(self, name: str | None) -> str:
        return self.for_name(name).url(name)

    def get_accessed_time(self, name: str) -> datetime:
        return self.for_name(name).get_accessed_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.for_name(name).get_created_time(name)

    def get_modified_time(self, name: str) -> datetime:
        return self.for_name(name).get_modified_time(name)
