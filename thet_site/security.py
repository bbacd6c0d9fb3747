"""Small security helpers (#9)."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


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
