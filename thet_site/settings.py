"""Settings for the THET site. Every machine differs only by environment variables.

See docs/DEPLOY.md ("Environment variables") for the variables and their defaults.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url

from thet_site.env import (
    cache_config,
    env_bool,
    env_int,
    env_list,
    frontend_cache_config,
    limit_connections,
    media_storages,
    origin_of,
    page_cache_config,
    secret_key,
    shared_cache_seconds,
    site_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = secret_key(DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "thet_site",
    "pages",
    "policy",
    "partnerships",
    "news",  # news stories, tagged with the work they are about
    "sitewide",  # the top layer, composing the apps below
    "wagtailautocomplete",  # type-to-pick countries, themes and partners
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",  # the contact form and its submissions listing
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    # Not wagtail.contrib.frontend_cache: its app only adds per-page purges inside the
    # publish; thet_site/cdn.py purges the whole site after the commit, through its backends.
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "axes",  # admin login lockout
    # Two-factor sign-in for staff (sitewide/twofactor.py): an authenticator app (TOTP)
    # and single-use recovery codes (static tokens).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "thet_site.middleware.RequestLogMiddleware",  # outermost, times every request
    "thet_site.database.StatementTimeoutMiddleware",  # a timed-out statement is a 503
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "thet_site.middleware.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",  # ETag and 304s, cached pages too
    # ?q=&country=x redirects to ?country=x before the page cache looks it up.
    "thet_site.middleware.DropEmptyParametersMiddleware",
    "thet_site.pagecache.PageCacheMiddleware",  # before anything that touches the DB
    "thet_site.cdn.SharedCacheMiddleware",  # Cache-Control for a CDN (inside the page cache)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "sitewide.twofactor.RequireTwoFactorMiddleware",  # no admin until the second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "thet_site.privacy.PrivacyMemoMiddleware",  # view restrictions read once a request
    "thet_site.routing.RouteCacheMiddleware",  # kept routes (process_view only)
    # A garbled admin POST (a StreamField's -count left out) is a 400, not a 500.
    "thet_site.middleware.MalformedAdminPostMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "thet_site.urls"
WSGI_APPLICATION = "thet_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "thet_site.fragments.fragment_cache",  # {% cache %} keyed by generation
            ],
        },
    },
]

DATABASES: dict[str, Any] = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
# JIT off on PostgreSQL, and a statement timeout for web processes only (set by
# thet_site/wsgi.py; commands and migrations have none). See thet_site/database.py.
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
DATABASES["default"] = limit_connections(
    DATABASES["default"],
    DATABASE_STATEMENT_TIMEOUT_MS if env_bool("THET_WEB_PROCESS", False) else 0,
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": cache_config()}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if not DEBUG else 0

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Wagtail
WAGTAIL_SITE_NAME = "THET"
# The public address: every absolute URL the site writes (thet_site/siteurl.py).
SITE_URL = site_url()
WAGTAILADMIN_BASE_URL = (
    os.environ.get("WAGTAILADMIN_BASE_URL") or SITE_URL or "http://127.0.0.1:8000"
)
# Wagtail's database backend; on SQLite, with ranking that stays fast at scale.
# Word forms match ("volunteer" finds "volunteers"): on PostgreSQL through the 'english'
# text search configuration (stemmed as indexed and as searched; after changing it run
# `manage.py update_index`), on SQLite through the FTS5 table's Porter tokenizer
# (pages/migrations/0008_news_search_stemming.py). SQLite's backend takes no config.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "thet_site.modelsearch_compat", "SEARCH_CONFIG": "english"}
}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "csv"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 25 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
WAGTAIL_I18N_ENABLED = False
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# Project imports (partnerships/import_jobs.py): a file of more rows than this is imported
# by a process of its own while the editor watches its progress; smaller ones at once.
PROJECT_IMPORT_INLINE_ROWS = 50
# "process": that process is started by the web worker; "inline": in the request (tests).
PROJECT_IMPORT_RUNNER = "process"

# Security (Django's deployment checklist). HSTS is configurable because it must only be
# switched on once HTTPS is in place for the whole domain.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Same origin, not DENY: the Wagtail admin's live preview frames the site itself.
X_FRAME_OPTIONS = "SAMEORIGIN"

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- Editorial workflow and notifications ---
# Wagtail emails reviewers when something is submitted for sign-off and the editor when
# it is approved or rejected. The console backend (the default) prints those emails;
# set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc. to send.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "THET website <noreply@thet.org>")
# The contact form: who is told of a new message when the page names nobody, and how
# many messages one visitor may send in how many seconds (pages/contact.py).
CONTACT_NOTIFY_EMAIL = os.environ.get("CONTACT_NOTIFY_EMAIL", "")
CONTACT_RATE_LIMIT = env_int("CONTACT_RATE_LIMIT", 5)
CONTACT_RATE_WINDOW = env_int("CONTACT_RATE_WINDOW", 600)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_USE_HTML = True
WAGTAIL_WORKFLOW_ENABLED = True
# approving is what publishes, so Moderators need no "publish" on any page.
WAGTAIL_FINISH_WORKFLOW_ACTION = "pages.roles.publish_approved_revision"
# a live publication's PDF or cover cannot have its file replaced (policy/locks.py).
WAGTAILDOCS_DOCUMENT_FORM_BASE = "policy.locks.LockedDocumentForm"
WAGTAILIMAGES_IMAGE_FORM_BASE = "policy.locks.LockedImageForm"
WAGTAILADMIN_COMMENTS_ENABLED = True

# --- Publications and documents ---
# Every download goes through Wagtail's serve view (never a direct media URL), so the
# `before_serve_document` hook in policy/wagtail_hooks.py can hold back the file of a
# publication that has not launched yet. Never serve MEDIA_ROOT/documents/ directly.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Always a download with the file's own name, never opened inside the site's origin.
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
# Fixed here rather than guessed from the server's mime.types, which differs by machine.
WAGTAILDOCS_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "csv": "text/csv",
}

# --- PDF accessibility check (policy/pdfcheck.py) ---
# Each uploaded PDF is read in a child process with at most this address space and this
# many seconds (wall clock; CPU rounded up): past either it is reported "could not be
# checked". 1.5 s reads a 300-page report several times over and reports a hostile file
# within 2 s of the upload.
PDF_CHECK_MEMORY_MB = env_int("PDF_CHECK_MEMORY_MB", 200)
PDF_CHECK_SECONDS = float(os.environ.get("PDF_CHECK_SECONDS") or 1.5)
# Where "Request an accessible format" writes to, for a PDF that failed the check.
ACCESSIBLE_FORMAT_EMAIL = os.environ.get("ACCESSIBLE_FORMAT_EMAIL", "info@thet.org")

# --- Production: page cache, CSP, lockout, storage, logs ---
# See docs/DEPLOY.md for every variable below.

# Whole-page cache for anonymous visitors (thet_site/pagecache.py): on unless DEBUG.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", default=not DEBUG)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
PAGE_CACHE_ALIAS = "pages"
CACHES[PAGE_CACHE_ALIAS] = page_cache_config(BASE_DIR)
PAGE_CACHE_EXCLUDED_PREFIXES = ["/admin/", "/documents/", "/health/"]
# The page cache keys each page on the query-string parameters that page says it reads
# (a page class's query_params, or reads_query around a view: thet_site/pagecache.py).
# Apps whose models (snippets, settings, orderables) are shown on pages: saving one
# invalidates the page cache.
PAGE_CACHE_CONTENT_APPS = ["pages", "policy", "partnerships", "news"]
# Template fragments kept until the content changes (thet_site/fragments.py): menus,
# footer, meta tags and each page's content, so a page that is rendered stays cheap.
FRAGMENT_CACHE_ENABLED = env_bool("FRAGMENT_CACHE", default=not DEBUG)
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 600)
FRAGMENT_CACHE_ALIAS = "default"
# What {% cache %} uses when fragments are off (previews, DEBUG, a cache outage).
CACHES["off"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

# a CDN or Varnish may keep public pages (thet_site/cdn.py): CDN_S_MAXAGE (300 s),
# CDN_STALE_WHILE_REVALIDATE (60 s), CDN_STALE_IF_ERROR (86400 s); browsers still revalidate.
SHARED_CACHE_SECONDS = shared_cache_seconds()
# CDN purge through wagtail.contrib.frontend_cache: off unless FRONTEND_CACHE_BACKEND is set.
# Every content change purges the whole site from it (thet_site/cdn.py, docs/DEPLOY.md).
WAGTAILFRONTENDCACHE = frontend_cache_config()

# Media on the filesystem by default, on S3-compatible storage with MEDIA_STORAGE=s3.
# Documents are kept apart from images, privately (thet_site/storage.py).
STORAGES.update(media_storages())
# The site serves MEDIA_ROOT/images/ and original_images/ itself (thet_site/media.py)
# unless media is in a bucket: never documents, which only /documents/ hands out.
MEDIA_SERVED_BY_SITE = STORAGES["media"]["BACKEND"] == "thet_site.storage.MediaFileSystemStorage"
MEDIA_ORIGIN = origin_of(os.environ.get("MEDIA_URL", "")) or (
    f"https://{os.environ['AWS_S3_CUSTOM_DOMAIN']}"
    if os.environ.get("AWS_S3_CUSTOM_DOMAIN")
    else ""
)
if os.environ.get("MEDIA_URL"):
    MEDIA_URL = os.environ["MEDIA_URL"]

# Content-Security-Policy (django-csp 4). Public pages: nothing inline, nothing from
# another host except what an editor embeds (video players). JSON-LD blocks are data,
# not scripts, and are allowed. frame-ancestors 'self', not 'none': the admin's live
# preview frames the site. No origin from a default: the site's own, the media
# host when it is another, the video players' frames; the userbar loads from 'self'.
_OWN = ["'self'"] + ([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])
_EMBED_HOSTS = env_list(
    "CSP_FRAME_SRC",
    default=[
        "https://www.youtube-nocookie.com",
        "https://www.youtube.com",
        "https://player.vimeo.com",
    ],
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": _OWN,
        "style-src": _OWN,
        "img-src": _OWN + ["data:"],
        "font-src": ["'self'"],
        "connect-src": _OWN,
        "media-src": _OWN,
        "frame-src": ["'self'"] + _EMBED_HOSTS,
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# The Wagtail admin keeps a looser policy of its own (thet_site.middleware.SiteCSPMiddleware).
CSP_ADMIN_PATH_PREFIXES = ["/admin/"]
# The same, loosened where the admin's own scripts, styles, images and icon font need it.
CSP_ADMIN_DIRECTIVES = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": _OWN + ["'unsafe-inline'"],
    "style-src": _OWN + ["'unsafe-inline'"],
    "img-src": _OWN + ["data:", "blob:"],
    "font-src": ["'self'", "data:"],
}
# Editors' e-mail addresses are not sent to a third party for avatars.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "browsing-topics": [],
}

# Admin login lockout (django-axes): AXES_FAILURE_LIMIT failed logins from one address
# lock it out for AXES_COOLOFF_MINUTES. Behind a load balancer set TRUSTED_PROXY_COUNT so
# the visitor's address (not the balancer's) is used.
AUTHENTICATION_BACKENDS = [
    "thet_site.security.LockoutBackend",  # django-axes
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours, as a float
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account_locked.html"
AXES_CLIENT_IP_CALLABLE = "thet_site.security.client_ip"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Two-factor sign-in (sitewide/twofactor.py, docs/DEPLOY.md): every account that can use
# the admin signs in with an authenticator app or a recovery code after its password.
# On unless DEBUG; switch off only on a machine nobody else can reach.
REQUIRE_2FA = env_bool("REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME + " website"

# Uploads: SVG is not in WAGTAILIMAGES_EXTENSIONS (it can carry scripts); documents are
# limited to WAGTAILDOCS_EXTENSIONS above.
FILE_UPLOAD_PERMISSIONS = 0o644

# Structured logs: one JSON line per request on stdout (thet_site.middleware).
REQUEST_LOG = env_bool("REQUEST_LOG", default=True)
LOGGING["formatters"] = {"json": {"()": "thet_site.jsonlog.JSONFormatter"}}
LOGGING["handlers"]["stdout_json"] = {
    "class": "logging.StreamHandler",
    "stream": "ext://sys.stdout",
    "formatter": "json",
}
LOGGING["handlers"]["console"]["formatter"] = "json"
LOGGING["loggers"] = {
    "thet.request": {"handlers": ["stdout_json"], "level": "INFO", "propagate": False},
}
# Load balancers check /health/ over plain HTTP: never redirect it.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# check --deploy: W019 asks for X_FRAME_OPTIONS = "DENY", which would break the admin's
# live preview (it frames the site); SAMEORIGIN is deliberate. W021 asks for the HSTS
# preload flag, a commitment for the whole domain that the charity makes on purpose
# (SECURE_HSTS_PRELOAD=1), not by default.
SILENCED_SYSTEM_CHECKS = ["security.W019"] + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])

# the cache's circuit breaker (thet_site/cache.py) logs one warning when Redis fails
# and one info line when it answers again; let the second through too.
LOGGING["loggers"]["thet_site.cache"] = {"level": "INFO"}
