"""A hung or stopped Redis must not hang the site or flood its log.

The cache is configured exactly as production configures it from ``REDIS_URL``
(``thet_site.env``), pointed at a small TCP server of our own on a free loopback port:
one that accepts connections and never answers (a hung Redis), nothing at all (a stopped
Redis, connections refused), or one that speaks enough of the Redis protocol for the
site's commands (Redis is back).
"""

import contextlib
import logging
import socket
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches

from tests.factories import ContentPageFactory
from tests.servers import free_port
from thet_site import cache as thet_cache
from thet_site.env import cache_config, page_cache_config

pytestmark = pytest.mark.django_db

PAGES = ["/", "/our-work/projects/"]  # the seeded home page and listing


@pytest.fixture
def page(seeded):
    """A published page like any an editor makes."""
    return ContentPageFactory(title="About the cache breaker")


class FakeRedis:
    """A TCP server on 127.0.0.1. ``hang=True``: accepts connections and never answers.
    Otherwise it answers GET, SET, MGET and PING from ``data`` and "+OK" to anything else.
    ``close()`` stops listening, so new connections are refused."""

    def __init__(self, *, hang: bool, port: int = 0, data: dict | None = None):
        self.hang = hang
        self.data = {} if data is None else data
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            self.connections.append(conn)
            if not self.hang:
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with contextlib.suppress(OSError, ValueError):
            reader = conn.makefile("rb")
            while line := reader.readline():
                args = []
                for _ in range(int(line[1:])):
                    length = int(reader.readline()[1:])
                    args.append(reader.read(length + 2)[:-2])
                conn.sendall(self._reply(args))

    def _reply(self, args):
        name = args[0].upper()
        if name == b"GET":
            value = self.data.get(args[1])
            return b"$-1\r\n" if value is None else b"$%d\r\n%s\r\n" % (len(value), value)
        if name == b"MGET":
            return b"*%d\r\n" % (len(args) - 1) + b"".join(
                self._reply([b"GET", key]) for key in args[1:]
            )
        if name == b"SET":
            self.data[args[1]] = args[2]
        if name == b"PING":
            return b"+PONG\r\n"
        if name == b"HELLO":  # redis-py speaks RESP3 when the server does
            return b"%1\r\n+proto\r\n:3\r\n"
        return b"+OK\r\n"

    def close(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() above
        self.listener.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)  # even while _serve() is reading it
            conn.close()


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True)
def _fresh_breakers():
    """Breakers live as long as the process; each test starts with none."""
    thet_cache._breakers.clear()
    yield
    thet_cache._breakers.clear()


@pytest.fixture
def redis_at(settings):
    """Point the default and the page cache at 127.0.0.1:<port>, as REDIS_URL does."""

    def configure(port, **environ):
        environ = {"REDIS_URL": f"redis://127.0.0.1:{port}/0", **environ}
        settings.CACHES = {
            "default": cache_config(environ),
            settings.PAGE_CACHE_ALIAS: page_cache_config(django_settings.BASE_DIR, environ),
            "off": django_settings.CACHES["off"],
        }
        settings.PAGE_CACHE_ENABLED = True
        settings.FRAGMENT_CACHE_ENABLED = True

    return configure


@pytest.fixture
def hung_redis():
    server = FakeRedis(hang=True)
    yield server
    server.close()


def site_records(caplog):
    """What the site logged, less the one access-log line per request (thet.request)."""
    return [r for r in caplog.records if r.name != "thet.request"]


def warnings_and_tracebacks(caplog):
    records = site_records(caplog)
    warnings = [r for r in records if r.levelno >= logging.WARNING]
    tracebacks = [r for r in records if r.exc_info]
    return warnings, tracebacks


def render_time(client, urls) -> float:
    started = time.monotonic()
    for url in urls:
        assert client.get(url).status_code == 200, url
    return time.monotonic() - started


def test_a_hung_cache_does_not_hang_the_pages(
    client, seeded, settings, redis_at, hung_redis, caplog
):
    # The same pages rendered in full with no cache at all: what "normal" costs here.
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    settings.CACHES = {"default": dummy, settings.PAGE_CACHE_ALIAS: dummy, "off": dummy}
    uncached = render_time(client, PAGES)

    redis_at(hung_redis.port)
    caplog.set_level(logging.INFO)
    elapsed = render_time(client, PAGES)
    # Under 2 s; on a machine so busy that the pages alone take over 1 s, within twice that.
    assert elapsed < max(2.0, 2 * uncached), f"{elapsed:.1f} s, {uncached:.1f} s uncached"
    for _ in range(4):
        for url in PAGES:
            assert client.get(url).status_code == 200, url
    warnings, tracebacks = warnings_and_tracebacks(caplog)
    assert len(warnings) <= 2, [r.getMessage() for r in warnings]
    assert not tracebacks
    assert len(site_records(caplog)) <= 3

    started = time.monotonic()
    health = client.get("/health/")
    assert time.monotonic() - started < 0.5  # the open circuit is not waited on
    assert health.status_code == 200
    assert health.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unavailable",
        "cache_circuit": "open",
    }


def test_a_stopped_cache_logs_once_not_per_request(client, seeded, redis_at, caplog):
    redis_at(free_port())  # nothing listens: connections are refused
    caplog.set_level(logging.INFO)
    for i in range(15):
        assert client.get(PAGES[i % 2]).status_code == 200
    warnings, tracebacks = warnings_and_tracebacks(caplog)
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "127.0.0.1" in warnings[0].getMessage()
    assert not tracebacks
    health = client.get("/health/").json()
    assert health["cache"] == "unavailable" and health["cache_circuit"] == "open"


def fake_clock_for(cache_alias="default"):
    """Put the (shared, per process) breaker of a cache on a fake clock."""
    clock = FakeClock()
    caches[cache_alias].breaker.clock = clock
    return clock


def test_the_circuit_closes_when_redis_is_back(client, page, redis_at, caplog):
    port = free_port()
    redis_at(port, CACHE_CIRCUIT_SECONDS="5")
    clock = fake_clock_for()
    caplog.set_level(logging.INFO)
    assert client.get(page.url).status_code == 200  # refused: the circuit opens
    assert client.get("/health/").json()["cache_circuit"] == "open"

    server = FakeRedis(hang=False, port=port)
    try:
        clock.now += 4
        for _ in range(2):  # skipped for a while yet: nothing is stored, nothing is hit
            assert client.get(page.url)["X-Page-Cache"] == "miss"
        assert server.data == {}
        clock.now += 2
        assert client.get(page.url)["X-Page-Cache"] == "miss"  # probed, closed, stored
        assert client.get(page.url)["X-Page-Cache"] == "hit"
        assert client.get("/health/").json() == {
            "status": "ok",
            "database": "ok",
            "cache": "ok",
            "cache_circuit": "closed",
        }
    finally:
        server.close()
    messages = [(r.levelname, r.getMessage()) for r in site_records(caplog)]
    assert [level for level, _ in messages] == ["WARNING", "INFO"], messages
    assert "again" in messages[1][1]


def test_what_changed_while_redis_was_unreachable_is_not_served_stale(client, page, redis_at):
    """Publishing while the circuit is open cannot replace the page generation in Redis:
    when Redis answers again, pages stored before the outage must not come back."""
    data = {}
    server = FakeRedis(hang=False, data=data)
    port = server.port
    redis_at(port)
    clock = fake_clock_for()
    assert client.get(page.url)["X-Page-Cache"] == "miss"
    assert client.get(page.url)["X-Page-Cache"] == "hit"
    server.close()  # Redis unreachable: the circuit opens on the next call

    page.title = "Retitled while Redis was away"
    page.save_revision().publish()
    assert "Retitled while Redis was away" in client.get(page.url).content.decode()

    server = FakeRedis(hang=False, port=port, data=data)  # back, with what it held
    try:
        clock.now += 31
        assert "Retitled while Redis was away" in client.get(page.url).content.decode()
    finally:
        server.close()


# --- The breaker itself, on a fake clock ---------------------------------------------


def test_the_breaker_opens_skips_probes_once_and_closes(caplog):
    clock = FakeClock()
    breaker = thet_cache.CircuitBreaker("127.0.0.1:6379", seconds=30, clock=clock)
    calls = []

    def ping(ok):
        def probe():
            calls.append(ok)
            if not ok:
                raise ConnectionError("still down")

        return probe

    caplog.set_level(logging.INFO)
    assert breaker.state == "closed" and breaker.allow(ping(True))
    assert calls == []  # a closed circuit does not probe
    breaker.failed(ConnectionError("refused"))
    breaker.failed(ConnectionError("refused"))  # a second failure: no second log line
    assert breaker.state == "open" and not breaker.allow(ping(True))
    clock.now += 29
    assert not breaker.allow(ping(True)) and calls == []
    clock.now += 2
    assert breaker.state == "half-open"
    assert not breaker.allow(ping(False))  # the probe fails: open for another while
    assert calls == [False] and breaker.state == "open"
    clock.now += 31
    assert breaker.allow(ping(True)) and breaker.state == "closed"
    assert calls == [False, True]
    assert [(r.levelname, bool(r.exc_info)) for r in caplog.records] == [
        ("WARNING", False),
        ("INFO", False),
    ]


def test_only_one_caller_probes_at_a_time():
    clock = FakeClock()
    breaker = thet_cache.CircuitBreaker("127.0.0.1:6379", seconds=30, clock=clock)
    breaker.failed(ConnectionError("refused"))
    clock.now += 31
    release = threading.Event()
    probes = []

    def slow_probe():
        probes.append(1)
        release.wait(5)

    first = threading.Thread(target=breaker.allow, args=(slow_probe,))
    first.start()
    while not probes:
        time.sleep(0.01)
    assert not breaker.allow(slow_probe)  # skipped, not a second probe
    release.set()
    first.join()
    assert probes == [1] and breaker.state == "closed"


def test_circuit_seconds_come_from_the_environment():
    config = cache_config({"REDIS_URL": "redis://:secret@cache.example:6380/0"})
    assert config["OPTIONS"]["CIRCUIT_SECONDS"] == 30
    config = cache_config({"REDIS_URL": "redis://x/0", "CACHE_CIRCUIT_SECONDS": "5"})
    assert config["OPTIONS"]["CIRCUIT_SECONDS"] == 5


def test_the_logged_server_name_has_no_password():
    backend = thet_cache.ResilientRedisCache(
        "redis://:secret@cache.example:6380/0", {"OPTIONS": {"CIRCUIT_SECONDS": 30}}
    )
    assert backend.breaker.name == "cache.example:6380"
