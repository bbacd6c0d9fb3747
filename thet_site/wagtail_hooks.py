"""Wagtail hooks of the site's own machinery (no app imported)."""

from wagtail import hooks

from thet_site.pagecache import read_page_query


@hooks.register("before_serve_page")
def page_reads_its_query(page, request, serve_args, serve_kwargs):
    """Before a page renders, it states which query-string parameters it reads: the page
    cache keys on those alone, and the page sees only them (``thet_site/pagecache.py``)."""
    read_page_query(page, request, serve_args, serve_kwargs)
