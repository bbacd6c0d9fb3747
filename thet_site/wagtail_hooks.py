"""Wagtail hooks of the site's own machinery (no app imported)."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.models import Page

from thet_site.pagecache import read_page_query


@hooks.register("before_serve_page")  # type: ignore[untyped-decorator]  # Wagtail has no types
def page_reads_its_query(
    page: Page, request: HttpRequest, serve_args: Sequence[Any], serve_kwargs: Mapping[str, Any]
) -> None:
    """Before a page renders, it states which query-string parameters it reads: the page
    cache keys on those alone, and the page sees only them (``thet_site/pagecache.py``)."""
    read_page_query(page, request, serve_args, serve_kwargs)
