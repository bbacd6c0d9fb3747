"""A Redis cache that a Redis outage cannot take the site down with (#9, #13).

Django's ``RedisCache`` raises when Redis does not answer, and Wagtail reads the default
cache on every page (the sites' root paths), so without this a stopped Redis would turn
every page into a 500. Here a failed read is a miss and a failed write is skipped: the
site carries on from the database, only slower.

A page makes some thirty cache calls, so a Redis that accepts connections and never
answers would cost thirty timeouts a page, and a stopped one thirty logged errors. So
each Redis server has a circuit breaker, one per process (``CircuitBreaker``): the first
failure opens it and the cache is skipped (reads miss, writes are dropped, no waiting)
for ``CACHE_CIRCUIT_SECONDS`` (default 30); then one call pings the server first
(half-open): an answer closes the circuit, anything else keeps it open for another
while. One warning when it opens, one info line when it closes, nothing per call.
Timeouts are short (``CACHE_TIMEOUT_SECONDS``, default 0.5 s), so finding out costs
little. When a circuit closes, ``cache_recovered`` is sent: writes made while it was
open were dropped, including invalidations (``thet_site.pagecache`` listens).
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DEFAULT_CIRCUIT_SECONDS = 30.0

# Sent (sender=CircuitBreaker, breaker=...) when a Redis server answers again.
cache_recovered = Signal()


class CircuitBreaker:
    """Closed: calls go through. Open (for ``seconds`` after a failure): calls are
    skipped. Then half-open: the next caller runs ``probe`` while the others keep
    skipping; success closes the circuit, failure opens it again. Thread-safe."""

    def __init__(self, name, seconds=DEFAULT_CIRCUIT_SECONDS, clock=time.monotonic):
        self.name = name
        self.seconds = seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._opened_at = None  # None while closed; else when it opened or last probed
        self._down_since = None

    @property
    def state(self) -> str:
        opened_at = self._opened_at
        if opened_at is None:
            return "closed"
        return "open" if self.clock() - opened_at < self.seconds else "half-open"

    def allow(self, probe) -> bool:
        """Whether to make a call now; runs ``probe()`` first when it is time to retry."""
        if self._opened_at is None:
            return True  # the usual case, without taking the lock
        with self._lock:
            if self._opened_at is None:
                return True
            if self.clock() - self._opened_at < self.seconds:
                return False
            self._opened_at = self.clock()  # this caller probes; the others keep skipping
        try:
            probe()
        except Exception:  # still down (or hung): open for another while
            with self._lock:
                self._opened_at = self.clock()
            return False
        with self._lock:
            self._opened_at = None
            down = self.clock() - self._down_since
        logger.info("Cache server %s answers again after %.0f s; using it again", self.name, down)
        cache_recovered.send_robust(sender=CircuitBreaker, breaker=self)
        return True

    def failed(self, error) -> None:
        with self._lock:
            opening = self._opened_at is None
            self._opened_at = self.clock()
            if opening:
                self._down_since = self._opened_at
        if opening:
            logger.warning(
                "Cache server %s failed (%s: %s); skipping it for %g s",
                self.name,
                type(error).__name__,
                error,
                self.seconds,
            )


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(servers, seconds) -> CircuitBreaker:
    """One breaker per Redis server (and period) per process, shared by every cache
    alias and thread that uses it (Django makes a cache object per thread)."""
    key = (tuple(servers), float(seconds))
    with _breakers_lock:
        if key not in _breakers:
            _breakers[key] = CircuitBreaker(_describe(servers), float(seconds))
        return _breakers[key]


def _describe(servers) -> str:
    """host:port of each server, for the log: never the password in the URL."""
    names = []
    for server in servers:
        parts = urlsplit(server)
        names.append(
            parts.path if parts.scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}"
        )
    return ",".join(names)


def circuit_state(caches=None) -> str | None:
    """The worst circuit state of the configured caches; None if none has a breaker."""
    from django.conf import settings
    from django.core.cache import caches as default_caches

    backends = [(caches or default_caches)[alias] for alias in settings.CACHES]
    states = {b.breaker.state for b in backends if isinstance(b, ResilientRedisCache)}
    for state in ("open", "half-open", "closed"):
        if state in states:
            return state
    return None


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        if not self.breaker.allow(self.ping):
            return fallback(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except (RedisError, OSError) as error:  # refused, timed out, ...
            self.breaker.failed(error)
        except Exception:  # not Redis's fault (e.g. a value that cannot be pickled)
            logger.warning("Cache %s failed; carrying on without the cache", name, exc_info=True)
        return fallback(*args, **kwargs)

    call.__name__ = name
    return call


class ReusedClient(RedisCacheClient):
    """Django makes a new ``redis.Redis`` object (over the same connection pool) for every
    cache call; that costs more than the round trip to a local Redis. One per pool is
    enough: the object is thread-safe and holds nothing but the pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        seconds = options.pop("circuit_seconds", DEFAULT_CIRCUIT_SECONDS)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClient
        self.breaker = breaker_for(self._servers, seconds)

    def ping(self):
        """The half-open probe: raises unless the (first) server answers."""
        self._cache.get_client(write=True).ping()

    get = _tolerant("get", lambda key, default=None, **kw: default)
    get_many = _tolerant("get_many", lambda *a, **kw: {})
    has_key = _tolerant("has_key", lambda *a, **kw: False)
    set = _tolerant("set", lambda *a, **kw: None)
    add = _tolerant("add", lambda *a, **kw: False)
    set_many = _tolerant("set_many", lambda *a, **kw: [])
    touch = _tolerant("touch", lambda *a, **kw: False)
    delete = _tolerant("delete", lambda *a, **kw: False)
    delete_many = _tolerant("delete_many", lambda *a, **kw: None)
    clear = _tolerant("clear", lambda *a, **kw: None)
