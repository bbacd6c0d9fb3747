"""The file-based page cache, kept in a private folder.

Django's file cache unpickles whatever it finds in its folder, so whoever can write
there can run code as the site. ``PrivateFileBasedCache`` creates its folder with mode
0700 and refuses to use one that another user owns or that other users can read or
write (an old one left in a shared place, or one made by someone else first): the site
then fails to start, saying which folder and why, rather than trusting its contents.

It is bounded two ways: Django's ``MAX_ENTRIES`` (it culls a third of the entries when
that many are held) and ``MAX_BYTES`` of ours (``PAGE_CACHE_MAX_MB``): after a write that
takes the folder past it, the oldest entries go until it is back under four fifths of it.
A flood of distinct, legitimate addresses can then only replace pages, never fill a disk.
"""

import contextlib
import os
import stat
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import ImproperlyConfigured


def check_private_dir(path: str) -> None:
    """Raise ImproperlyConfigured unless ``path`` is a real folder only we can use."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise ImproperlyConfigured(f"The page cache folder {path} is not a plain folder.")
    if info.st_uid != os.geteuid():
        raise ImproperlyConfigured(
            f"The page cache folder {path} belongs to another user (uid {info.st_uid}): "
            "remove it, or set PAGE_CACHE_DIR to a folder of the site's own."
        )
    if info.st_mode & 0o077:
        raise ImproperlyConfigured(
            f"The page cache folder {path} is open to other users "
            f"(mode {stat.S_IMODE(info.st_mode):04o}): its files may not be the site's. "
            "Remove it (it is recreated, private, at start-up) or set PAGE_CACHE_DIR."
        )


class PrivateFileBasedCache(FileBasedCache):
    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        super().__init__(dir, params)  # creates a missing folder with mode 0700
        self.folder = os.path.abspath(dir)
        check_private_dir(self.folder)
        self.max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES") or 0)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        super().set(key, value, timeout, version)
        if self.max_bytes:
            self.trim()

    def trim(self) -> None:
        """Remove the oldest entries while the folder holds more than ``max_bytes``."""
        entries = []
        with os.scandir(self.folder) as scan:
            for entry in scan:
                if entry.name.endswith(self.cache_suffix):
                    with contextlib.suppress(FileNotFoundError):
                        info = entry.stat()
                        entries.append((info.st_mtime, info.st_size, entry.path))
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return
        for _, size, path in sorted(entries):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
            total -= size
            if total <= self.max_bytes * 0.8:
                break


def ensure_private_cache_dirs() -> None:
    """At start-up: create and check the folder of every private file cache."""
    for alias, config in settings.CACHES.items():
        if config.get("BACKEND") == f"{__name__}.PrivateFileBasedCache":
            caches[alias]  # noqa: B018 - instantiating it creates and checks the folder
