"""The file page cache lives in a private folder of the site's own.

Django's file cache unpickles what it finds in its folder, so a folder others can write
to would let them run code as the site.
"""

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from thet_site.env import page_cache_config

BASE_DIR = Path(settings.BASE_DIR)


def build(config):
    return import_string(config["BACKEND"])(config["LOCATION"], config)


def test_the_default_folder_is_the_sites_own_not_a_shared_one():
    """Not a predictable name in a shared folder (the old `/tmp/thet-page-cache-…`): a
    folder inside the site's own checkout, with nothing between the two that others can
    write to. (Where the checkout itself lives is the deployer's choice: a CI clone may
    sit in /tmp, inside a folder of its own.)"""
    location = Path(page_cache_config(BASE_DIR, environ={})["LOCATION"]).resolve()
    base = BASE_DIR.resolve()
    assert location.is_relative_to(base)
    assert location.parent != Path(tempfile.gettempdir()).resolve()
    for folder in [base, *[p for p in location.parents if p.is_relative_to(base)]]:
        if folder.exists():
            assert not folder.stat().st_mode & stat.S_IWOTH, f"{folder} is world-writable"


def test_the_folder_is_created_private_at_start_up(tmp_path):
    """`manage.py check` (any start-up) creates the folder with mode 0700."""
    location = tmp_path / "site" / "pages"
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "REDIS_URL")}
    env.update(DEBUG="0", SECRET_KEY="test-only-not-secret", PAGE_CACHE_DIR=str(location))
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    info = location.stat()
    assert stat.S_IMODE(info.st_mode) == 0o700
    assert info.st_uid == os.geteuid()


@pytest.mark.parametrize("mode", [0o777, 0o755, 0o770])
def test_a_folder_others_can_use_is_refused(tmp_path, mode):
    folder = tmp_path / "pages"
    folder.mkdir()
    folder.chmod(mode)
    # What someone else may have left there for the site to unpickle.
    (folder / "planted.djcache").write_bytes(b"not the site's")
    config = page_cache_config(BASE_DIR, environ={"PAGE_CACHE_DIR": str(folder)})
    with pytest.raises(ImproperlyConfigured, match="open to other users"):
        build(config)


def test_a_symlinked_folder_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "pages"
    link.symlink_to(real)
    config = page_cache_config(BASE_DIR, environ={"PAGE_CACHE_DIR": str(link)})
    with pytest.raises(ImproperlyConfigured, match="not a plain folder"):
        build(config)


def test_a_refused_folder_stops_the_site_from_starting(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    folder.chmod(0o777)
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "REDIS_URL")}
    env.update(DEBUG="0", SECRET_KEY="test-only-not-secret", PAGE_CACHE_DIR=str(folder))
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    assert "open to other users" in result.stderr


def test_a_private_folder_of_our_own_is_used(tmp_path):
    folder = tmp_path / "pages"
    config = page_cache_config(BASE_DIR, environ={"PAGE_CACHE_DIR": str(folder)})
    cache = build(config)
    cache.set("k", "v")
    assert cache.get("k") == "v"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
