"""Small security helpers (#9)."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


def client_ip(request) -> str:
    """The visitor's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the
    address the outermost trusted proxy saw (from X-Forwarded-For)."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    if count <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [p for p in forwarded if p]
    if len(forwarded) >= count:
        return forwarded[-count]
    return forwarded[0] if forwarded else remote


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' backend, for sign-ins made through a web request.

    ``authenticate()`` without a request only happens in code (the test client's
    ``login()``, scripts), where there is no visitor to lock out; every web sign-in form,
    Wagtail's included, passes the request and is checked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def is_verified_staff(user) -> bool:
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
