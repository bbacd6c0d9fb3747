"""Small, pure helpers that read settings from an environment mapping.

Each takes the mapping as an argument (defaulting to ``os.environ``) so tests can call
them with a plain dict.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


def cache_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Redis when CACHE_URL or REDIS_URL is set, else local memory."""
    environ = os.environ if environ is None else environ
    url = environ.get("CACHE_URL") or environ.get("REDIS_URL")
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        # django-redis behind thet_site.cache's circuit breaker: a Redis outage makes the
        # site slower, never down; after a failure Redis is skipped for
        # CACHE_CIRCUIT_SECONDS.
        timeout = float(environ.get("CACHE_TIMEOUT_SECONDS", "0.5"))
        return {
            "BACKEND": "thet_site.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": environ.get("CACHE_KEY_PREFIX", "thet"),
            "TIMEOUT": 600,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": timeout,
                "SOCKET_TIMEOUT": timeout,
                "CIRCUIT_SECONDS": float(environ.get("CACHE_CIRCUIT_SECONDS") or 30),
            },
        }
    if url and url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": url[9:]}
    if url and url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if url:
        raise ImproperlyConfigured(f"Unsupported cache URL scheme in {url!r}.")
    # Room for every page's fragments (thet_site/fragments.py); the default is 300.
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "thet",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }


def page_cache_config(base_dir: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The whole-page cache: the shared Redis when one is configured, else files.

    Files rather than local memory, so that every gunicorn worker on a machine sees the
    same pages and the same invalidation.
    """
    environ = os.environ if environ is None else environ
    url = environ.get("CACHE_URL") or environ.get("REDIS_URL")
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        config = cache_config(environ)
        config["KEY_PREFIX"] = config["KEY_PREFIX"] + ":pages"
        return config
    if url and url.startswith(("locmem://", "dummy://")):
        return cache_config(environ)
    # A private folder of the site's own (0700, checked by thet_site.filecache), never a
    # guessable one in the shared, world-writable temp dir: the cache unpickles its files.
    default_dir = os.path.join(base_dir, ".cache", "pages")
    return {
        "BACKEND": "thet_site.filecache.PrivateFileBasedCache",
        "LOCATION": environ.get("PAGE_CACHE_DIR") or default_dir,
        # Bounded in entries and in bytes (thet_site/filecache.py): a flood of distinct
        # addresses replaces pages, it cannot fill the disk.
        "OPTIONS": {
            "MAX_ENTRIES": 5000,
            "MAX_BYTES": env_int("PAGE_CACHE_MAX_MB", 200, environ=environ) * 1024 * 1024,
        },
    }


def shared_cache_seconds(environ: Mapping[str, str] | None = None) -> dict[str, int]:
    """How long a CDN or Varnish may keep a public page, for ``thet_site.cdn``.

    ``CDN_S_MAXAGE`` (300): seconds a shared cache serves a page without asking the site;
    publishing purges it sooner, so this only bounds a purge that was lost. ``0`` turns
    shared caching off (pages then go out as before, ``max-age=0`` for browsers only).
    ``CDN_STALE_WHILE_REVALIDATE`` (60): seconds past that it may serve the old page while
    it fetches a new one. ``CDN_STALE_IF_ERROR`` (86400): seconds past that it may serve
    the old page while the site is down or failing.
    """
    environ = os.environ if environ is None else environ
    seconds = {
        "s_maxage": env_int("CDN_S_MAXAGE", 300, environ=environ),
        "stale_while_revalidate": env_int("CDN_STALE_WHILE_REVALIDATE", 60, environ=environ),
        "stale_if_error": env_int("CDN_STALE_IF_ERROR", 86400, environ=environ),
    }
    for name, value in seconds.items():
        if value < 0:
            raise ImproperlyConfigured(f"CDN_{name.upper()} must not be negative, not {value}.")
    return seconds


FRONTEND_CACHE_BACKENDS = {
    # Wagtail's, with a time limit on each purge (thet_site/cdn.py).
    "http": "thet_site.cdn.HTTPBackend",
    # Wagtail's, plus "purge everything" for a purge of <site>/*, with a time limit.
    "cloudflare": "thet_site.cdn.CloudflareBackend",
    # Wagtail's, with a time limit and no retries (thet_site/cdn.py).
    "cloudfront": "thet_site.cdn.CloudfrontBackend",
}


def frontend_cache_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Wagtail's frontend-cache (CDN purge) settings; empty, so off, unless asked for."""
    environ = os.environ if environ is None else environ
    name = environ.get("FRONTEND_CACHE_BACKEND", "").strip().lower()
    if not name:
        return {}
    if name not in FRONTEND_CACHE_BACKENDS:
        raise ImproperlyConfigured(
            f"FRONTEND_CACHE_BACKEND must be one of {sorted(FRONTEND_CACHE_BACKENDS)}, "
            f"not {name!r}."
        )
    required = {
        "http": {"LOCATION": "FRONTEND_CACHE_LOCATION"},
        "cloudflare": {"BEARER_TOKEN": "CLOUDFLARE_BEARER_TOKEN", "ZONEID": "CLOUDFLARE_ZONE_ID"},
        "cloudfront": {"DISTRIBUTION_ID": "CLOUDFRONT_DISTRIBUTION_ID"},
    }[name]
    config: dict[str, Any] = {"BACKEND": FRONTEND_CACHE_BACKENDS[name]}
    for option, variable in required.items():
        value = environ.get(variable, "").strip()
        if not value:
            raise ImproperlyConfigured(f"FRONTEND_CACHE_BACKEND={name} needs {variable}.")
        config[option] = value
    # Seconds the whole purge may take (one deadline) before it is cut off and logged (cdn.py).
    timeout = env_int("FRONTEND_CACHE_TIMEOUT", 3, environ=environ)
    if timeout < 1:
        raise ImproperlyConfigured(f"FRONTEND_CACHE_TIMEOUT must be 1 or more, not {timeout}.")
    config["TIMEOUT"] = timeout
    return {"default": config}


def media_storage_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Where images go: the filesystem (MEDIA_ROOT) unless MEDIA_STORAGE=s3.

    Images may be public (a bucket policy allowing public reads of their folders).
    Documents never are: see ``documents_storage_config`` and ``media_storages``.
    """
    environ = os.environ if environ is None else environ
    kind = environ.get("MEDIA_STORAGE", "filesystem").strip().lower() or "filesystem"
    if kind == "filesystem":
        return {"BACKEND": "thet_site.storage.MediaFileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {kind!r}.")
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    options = {
        "bucket_name": bucket,
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", default=False, environ=environ),
    }
    optional = {
        "endpoint_url": "AWS_S3_ENDPOINT_URL",
        "region_name": "AWS_S3_REGION_NAME",
        "custom_domain": "AWS_S3_CUSTOM_DOMAIN",
        "location": "AWS_LOCATION",
    }
    for option, variable in optional.items():
        if environ.get(variable, "").strip():
            options[option] = environ[variable].strip()
    # Credentials are not settings: boto3 reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
    # (or an instance role) from the environment itself.
    return {"BACKEND": "thet_site.storage.MediaS3Storage", "OPTIONS": options}


def documents_storage_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Where documents go: never anywhere the public can read them directly.

    On the filesystem, MEDIA_ROOT/documents/ (the site serves MEDIA_ROOT/images/ and
    original_images/ only). On S3, the images' bucket and folder unless
    AWS_DOCUMENTS_BUCKET_NAME / AWS_DOCUMENTS_LOCATION say otherwise, always private:
    no public ACL, signed short-lived URLs, no custom (public) domain. Either way the
    site's /documents/ view is the only way out, with its launch check.
    """
    environ = os.environ if environ is None else environ
    media = media_storage_config(environ)
    if media["BACKEND"] != "thet_site.storage.MediaS3Storage":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options = {k: v for k, v in media["OPTIONS"].items() if k != "custom_domain"}
    for option, variable in {
        "bucket_name": "AWS_DOCUMENTS_BUCKET_NAME",
        "location": "AWS_DOCUMENTS_LOCATION",
    }.items():
        if environ.get(variable, "").strip():
            options[option] = environ[variable].strip()
    # Buckets with ACLs disabled ("bucket owner enforced") refuse any ACL but their own:
    # AWS_DOCUMENTS_DEFAULT_ACL= (empty) sends none, and the bucket policy keeps it private.
    acl = environ.get("AWS_DOCUMENTS_DEFAULT_ACL", "private").strip()
    options.update(
        {
            "default_acl": acl or None,
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_DOCUMENTS_URL_SECONDS", 60, environ=environ),
        }
    )
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def media_storages(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The STORAGES entries for uploads: ``default`` routes documents and images apart."""
    return {
        "default": {"BACKEND": "thet_site.storage.MediaStorage"},
        "media": media_storage_config(environ),
        "documents": documents_storage_config(environ),
    }


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def site_url(environ: Mapping[str, str] | None = None) -> str:
    """SITE_URL, the public address (``https://www.thet.org``) without a trailing slash.

    "" when unset. Only a scheme and host (and port): a path would not survive being
    stored in Wagtail's Site record.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get("SITE_URL", "").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ImproperlyConfigured(f"SITE_URL has a bad port: {raw!r}.") from exc
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path.strip("/")
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise ImproperlyConfigured(
            f"SITE_URL must be a scheme and host such as https://www.thet.org, not {raw!r}."
        )
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port not in (None, default_port) else ""
    return f"{parts.scheme}://{host}{port}"


def limit_connections(database: Mapping[str, Any], statement_timeout_ms: int) -> dict[str, Any]:
    """``database`` (one entry of ``DATABASES``) with JIT off and, if ``statement_timeout_ms``
    is positive, a statement timeout, when it is PostgreSQL; unchanged otherwise."""
    if not database.get("ENGINE", "").endswith(("postgresql", "postgis")):
        return dict(database)
    flags = ["-c jit=off"]
    if statement_timeout_ms > 0:
        flags.append(f"-c statement_timeout={int(statement_timeout_ms)}")
    options = dict(database.get("OPTIONS") or {})
    options["options"] = " ".join(filter(None, [options.get("options", ""), *flags]))
    return {**database, "OPTIONS": options}
