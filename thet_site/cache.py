"""django-redis, with a circuit breaker so that a Redis outage cannot take the site down.

django-redis does the Redis work (one client per server, pickling, timeouts from
``SOCKET_TIMEOUT``/``SOCKET_CONNECT_TIMEOUT``). Its ``IGNORE_EXCEPTIONS`` turns an error
into a miss, but it still waits on a Redis that accepts connections and never answers,
on every call (a page makes some thirty). So ``ResilientRedisCache`` adds one thing: a
circuit breaker per Redis server, per process (``CircuitBreaker``). The first failure
opens it and the cache is skipped (reads miss, writes are dropped, no waiting) for
``CIRCUIT_SECONDS`` (``CACHE_CIRCUIT_SECONDS``, default 30); then one call pings the
server first (half-open): an answer closes the circuit, anything else keeps it open
for another while. One warning when it opens, one info line when it closes, nothing
per call. When a circuit closes, ``cache_recovered`` is sent: writes made while it was
open were dropped, invalidations too (``thet_site.pagecache`` listens).
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches as default_caches
from django.core.cache.backends.base import BaseCache
from django.dispatch import Signal
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DEFAULT_CIRCUIT_SECONDS = 30.0

# Sent (sender=CircuitBreaker, breaker=...) when a Redis server answers again.
cache_recovered = Signal()


class CircuitBreaker:
    """Closed: calls go through. Open (for ``seconds`` after a failure): calls are
    skipped. Then half-open: the next caller runs ``probe`` while the others keep
    skipping; success closes the circuit, failure opens it again. Thread-safe."""

    def __init__(
        self,
        name: str,
        seconds: float = DEFAULT_CIRCUIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.seconds = seconds
        self.clock = clock
        self._lock = threading.Lock()
        # None while closed; else when it opened or last probed.
        self._opened_at: float | None = None
        self._down_since = 0.0  # when it last opened (set together with _opened_at)

    @property
    def state(self) -> str:
        opened_at = self._opened_at
        if opened_at is None:
            return "closed"
        return "open" if self.clock() - opened_at < self.seconds else "half-open"

    def allow(self, probe: Callable[[], object]) -> bool:
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

    def failed(self, error: BaseException) -> None:
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


_breakers: dict[tuple[str, float], CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(server: str, seconds: float) -> CircuitBreaker:
    """One breaker per Redis server (and period) per process, shared by every cache
    alias and thread that uses it (Django makes a cache object per thread)."""
    key = (server, float(seconds))
    with _breakers_lock:
        if key not in _breakers:
            _breakers[key] = CircuitBreaker(_describe(server), float(seconds))
        return _breakers[key]


def _describe(server: str | Iterable[str]) -> str:
    """host:port of each server, for the log: never the password in the URL."""
    names = []
    for url in server.split(",") if isinstance(server, str) else server:
        parts = urlsplit(url)
        names.append(
            parts.path if parts.scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}"
        )
    return ",".join(names)


def circuit_state(caches: Mapping[str, BaseCache] | None = None) -> str | None:
    """The worst circuit state of the configured caches; None if none has a breaker."""
    backends = [(caches or default_caches)[alias] for alias in settings.CACHES]
    states = {b.breaker.state for b in backends if isinstance(b, ResilientRedisCache)}
    for state in ("open", "half-open", "closed"):
        if state in states:
            return state
    return None


def _guarded(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    method = getattr(RedisCache, name)

    def call(self: "ResilientRedisCache", *args: Any, **kwargs: Any) -> Any:
        if not self.breaker.allow(self.ping):
            return fallback(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except (RedisError, OSError, ConnectionInterrupted) as error:  # refused, timed out
            self.breaker.failed(error)
        except Exception:  # not Redis's fault (e.g. a value that cannot be pickled)
            logger.warning("Cache %s failed; carrying on without the cache", name, exc_info=True)
        return fallback(*args, **kwargs)

    call.__name__ = name
    return call


class ResilientRedisCache(RedisCache):  # type: ignore[misc]  # django-redis has no types
    """django-redis's ``RedisCache``; every call goes through the server's breaker."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        seconds = options.pop("CIRCUIT_SECONDS", DEFAULT_CIRCUIT_SECONDS)
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = breaker_for(server, seconds)

    def ping(self) -> None:
        """The half-open probe: raises unless the (first) server answers."""
        self.client.get_client(write=True).ping()

    get = _guarded("get", lambda key, default=None, **kw: default)
    get_many = _guarded("get_many", lambda *a, **kw: {})
    has_key = _guarded("has_key", lambda *a, **kw: False)
    set = _guarded("set", lambda *a, **kw: None)
    add = _guarded("add", lambda *a, **kw: False)
    set_many = _guarded("set_many", lambda *a, **kw: [])
    touch = _guarded("touch", lambda *a, **kw: False)
    delete = _guarded("delete", lambda *a, **kw: False)
    delete_many = _guarded("delete_many", lambda *a, **kw: 0)
    clear = _guarded("clear", lambda *a, **kw: None)
