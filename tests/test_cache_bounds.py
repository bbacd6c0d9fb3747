"""The page cache is bounded: a flood of distinct, legitimate addresses (each a real
search, each its own page) replaces stored pages and never grows the store past its cap.

With Redis the cap is the server's ``maxmemory`` with an LRU policy (``.ci/run``,
``make redis``, docs/DEPLOY.md); without Redis it is the file cache's ``MAX_BYTES``
(``PAGE_CACHE_MAX_MB``, ``thet_site/filecache.py``).
"""

import os
import shutil
import subprocess  # noqa: S404 - our own redis-server, list argv, no shell
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings

from tests.servers import free_port, stop
from thet_site.env import page_cache_config

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def flood(client, count: int, prefix: str) -> list:
    """``count`` searches for different words: each a real page of results, stored."""
    responses = []
    for number in range(count):
        response = client.get(f"/search/?q=health+{prefix}{number}")
        assert response.status_code == 200
        responses.append(response)
    return responses


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir() if path.suffix == ".djcache")


def test_the_file_cache_stays_under_its_byte_cap_under_a_flood(client, seeded, settings, tmp_path):
    folder = tmp_path / "pages"
    cap = 400_000
    settings.CACHES = {
        **django_settings.CACHES,
        settings.PAGE_CACHE_ALIAS: {
            "BACKEND": "thet_site.filecache.PrivateFileBasedCache",
            "LOCATION": str(folder),
            "OPTIONS": {"MAX_ENTRIES": 5000, "MAX_BYTES": cap},
        },
    }
    responses = flood(client, 60, "flood")
    assert all(r["X-Page-Cache"] == "miss" for r in responses)
    assert folder_bytes(folder) <= cap
    stored = sum(1 for path in folder.iterdir() if path.suffix == ".djcache")
    assert stored < 60 * 3  # some were evicted: the flood was bigger than the cap
    # The newest pages are still there: the cache works, it only forgets the oldest.
    assert client.get("/search/?q=health+flood59")["X-Page-Cache"] == "hit"


def test_the_default_file_cache_is_capped_from_the_environment():
    config = page_cache_config(Path("/srv"), environ={"PAGE_CACHE_MAX_MB": "50"})
    assert config["OPTIONS"]["MAX_BYTES"] == 50 * 1024 * 1024
    assert config["OPTIONS"]["MAX_ENTRIES"] == 5000
    assert page_cache_config(Path("/srv"), environ={})["OPTIONS"]["MAX_BYTES"] > 0


@pytest.fixture
def capped_redis(tmp_path):
    """A Redis of our own with the cap the deployment guide sets, scaled down."""
    if not os.access(REDIS_SERVER, os.X_OK):
        message = "redis-server is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the page cache's cap test")
        pytest.skip(message)
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
            "--maxmemory",
            "2mb",
            "--maxmemory-policy",
            "allkeys-lru",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, which stop() ends
    )
    try:
        server = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 20
        while True:
            try:
                server.ping()
                break
            except (OSError, redis.ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port, server
    finally:
        stop(process)


def test_redis_stays_under_maxmemory_under_a_flood(client, seeded, settings, capped_redis):
    port, server = capped_redis
    settings.CACHES = {
        **django_settings.CACHES,
        settings.PAGE_CACHE_ALIAS: {
            "BACKEND": "thet_site.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "thet:pages",
            "TIMEOUT": 600,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        },
    }
    cap = int(server.config_get("maxmemory")["maxmemory"])
    responses = flood(client, 60, "redis")
    assert all(r["X-Page-Cache"] == "miss" for r in responses)
    memory = server.info("memory")
    stats = server.info("stats")
    assert stats["evicted_keys"] > 0, "the flood should have been bigger than the cap"
    # Redis evicts before each write, so it is at most one entry over.
    assert memory["used_memory"] <= cap + 200_000, (memory["used_memory"], cap)
    # Still a working cache, and still one that invalidates: the newest pages are there.
    assert client.get("/search/?q=health+redis59")["X-Page-Cache"] == "hit"
