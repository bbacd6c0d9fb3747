"""A Redis cache that a Redis outage cannot take the site down with (#9).

Django's ``RedisCache`` raises when Redis does not answer, and Wagtail reads the default
cache on every page (the sites' root paths), so without this a stopped Redis would turn
every page into a 500. Here a failed read is a miss and a failed write is skipped, each
logged: the site carries on from the database, only slower. Timeouts are short
(``CACHE_TIMEOUT_SECONDS``, default 0.5 s) so a hung Redis costs little per request.
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:  # redis-py's ConnectionError, TimeoutError, ...
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
        super().__init__(server, params)
        self._class = ReusedClient

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
