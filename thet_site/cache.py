"""A Redis cache that a Redis outage cannot take the site down with (#9).

Django's ``RedisCache`` raises when Redis does not answer, and Wagtail reads the default
cache on every page (the sites' root paths), so without this a stopped Redis would turn
every page into a 500. Here a failed read is a miss and a failed write is skipped, each
logged: the site carries on from the database, only slower. Timeouts are short
(``CACHE_TIMEOUT_SECONDS``, default 0.5 s) so a hung Redis costs little per request.
"""

import logging

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:  # redis-py's ConnectionError, TimeoutError, ...
            logger.warning("Cache %s failed; carrying on without the cache", name, exc_info=True)
            value = fallback(*args, **kwargs)
            return value

    call.__name__ = name
    return call


class ResilientRedisCache(RedisCache):
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
