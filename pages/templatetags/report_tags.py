"""Template filters for a publication's full text (see ``pages/reports.py``)."""

from django import template

from pages.reports import FootnoteLinker

register = template.Library()


@register.filter
def footnote_links(html, linker):
    """Footnote marks in rendered rich text, linked to their notes by the report's
    ``FootnoteLinker``; unchanged where there is none (a block preview, another page)."""
    if isinstance(linker, FootnoteLinker):
        return linker.link(html)
    return html
