"""Small security helpers."""

import hashlib
import hmac
import secrets
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the
    address the outermost trusted proxy saw (from X-Forwarded-For)."""
    count: int = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote: str = request.META.get("REMOTE_ADDR", "")
    if count <= 0:
        return remote
    header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [p.strip() for p in header.split(",")]
    forwarded = [p for p in forwarded if p]
    if len(forwarded) >= count:
        return forwarded[-count]
    return forwarded[0] if forwarded else remote


def daily_salt() -> str:
    """A random value for today, shared by the servers through the cache and forgotten
    after two days; derived from SECRET_KEY and the date when the cache cannot keep one."""
    day = timezone.now().date().isoformat()
    key = f"visitor-salt:{day}"
    try:
        cache = caches["default"]
        cache.add(key, secrets.token_hex(16), 2 * 86400)
        salt = cache.get(key)
    except Exception:  # a cache outage: the derived salt will do
        salt = None
    return salt or hmac.new(settings.SECRET_KEY.encode(), day.encode(), "sha256").hexdigest()


def daily_visitor(request: HttpRequest) -> str:
    """An opaque name for this visitor today (their address, through ``client_ip``, hashed
    with ``daily_salt``): enough to count something once per visitor and day, without
    keeping an address or linking one day's visitor to another's."""
    return hashlib.sha256(f"{daily_salt()}|{client_ip(request)}".encode()).hexdigest()


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes is untyped
    """django-axes' backend, for sign-ins made through a web request.

    ``authenticate()`` without a request only happens in code (the test client's
    ``login()``, scripts), where there is no visitor to lock out; every web sign-in form,
    Wagtail's included, passes the request and is checked.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def is_verified_staff(user: AbstractUser | AnonymousUser) -> bool:
    """Whether the request's user is signed in to the admin with every factor it needs.

    With ``REQUIRE_2FA`` on, a session that has only passed the password step is not
    staff yet: django-otp's middleware gives the user ``is_verified()``.
    """
    if not (user.is_authenticated and user.has_perm("wagtailadmin.access_admin")):
        return False
    if not getattr(settings, "REQUIRE_2FA", False):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
