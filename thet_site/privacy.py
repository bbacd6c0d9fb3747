"""``public(pages)``: Wagtail's ``PageQuerySet.public()``, with one query per request.

Wagtail's ``public()`` reads every view restriction from the database each time it is
called, and a page can call it several times (the menu, a listing, its facet counts).
Here the restricted sections are read once per public request (``PrivacyMemoMiddleware``
keeps them for the request's duration, GET and HEAD only, outside the admin) and, outside
a request, every time, exactly as Wagtail does.
"""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from wagtail.models import PageViewRestriction
from wagtail.query import PageQuerySet

Pages = TypeVar("Pages", bound=QuerySet[Any])

_memo: ContextVar[dict[str, list[str]] | None] = ContextVar("thet_privacy_memo", default=None)


def restricted_paths() -> list[str]:
    """The tree paths of every page with a view restriction (their sections are private)."""
    memo = _memo.get()
    if memo is not None and "paths" in memo:
        return memo["paths"]
    paths: list[str] = list(PageViewRestriction.objects.values_list("page__path", flat=True))
    if memo is not None:
        memo["paths"] = paths
    return paths


def public(pages: Pages) -> Pages:
    """``pages`` without those in a private section (a page with a view restriction, and
    its descendants), as ``PageQuerySet.public()``."""
    private = Q()
    for path in restricted_paths():
        private |= Q(path__startswith=path)
    return pages.exclude(private) if private else pages


class PublicQuerySet(PageQuerySet):  # type: ignore[misc]  # Wagtail has no types
    """A page queryset whose ``public()`` is the one above."""

    def public(self) -> "PublicQuerySet":
        return public(self)


class PrivacyMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.excluded = tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD") or request.path_info.startswith(self.excluded):
            return self.get_response(request)
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
