"""Small, pure helpers that read settings from an environment mapping.

Each takes the mapping as an argument (defaulting to ``os.environ``) so tests can call
them with a plain dict.
"""

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


DEV_SECRET_KEY = "django-insecure-dev-only-key-not-for-production"  # noqa: S105


def secret_key(debug: bool, environ: Mapping[str, str] | None = None) -> str:
    """The SECRET_KEY from the environment; a fixed dev key only when DEBUG is on."""
    environ = os.environ if environ is None else environ
    key = environ.get("SECRET_KEY", "")
    if key:
        return key
    if debug:
        return DEV_SECRET_KEY
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")


def cache_config(environ: Mapping[str, str] | None = None) -> dict:
    """Redis when CACHE_URL or REDIS_URL is set, else local memory."""
    environ = os.environ if environ is None else environ
    url = environ.get("CACHE_URL") or environ.get("REDIS_URL")
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": environ.get("CACHE_KEY_PREFIX", "thet"),
            "TIMEOUT": 600,
        }
    if url and url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": url[9:]}
    if url and url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if url:
        raise ImproperlyConfigured(f"Unsupported cache URL scheme in {url!r}.")
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "thet"}
