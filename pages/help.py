"""The editor's guide in the admin: ``docs/editors.md`` rendered under "Help".

The Markdown file is the single source (it reads well on GitHub too); the admin shows it
to every signed-in editor. markdown-it renders CommonMark with tables, and with raw HTML
turned off, so the guide cannot carry a script or a form.
"""

from functools import cache

from django.conf import settings
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView
from markdown_it import MarkdownIt
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

GUIDE = settings.BASE_DIR / "docs" / "editors.md"


@cache
def guide_html(mtime: float) -> str:
    """The guide as HTML; ``mtime`` keys the cache so an edited file is re-read."""
    del mtime
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    text = GUIDE.read_text(encoding="utf-8")
    # The admin page has its own h1 (the header); the guide's headings sit below it.
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    return renderer.render(body)


class HelpView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Editor's guide"
    header_icon = "help"
    template_name = "pages/admin/help.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Rendered from our own file with raw HTML off: nothing in it is markup we did
        # not write.
        context["guide"] = mark_safe(guide_html(GUIDE.stat().st_mtime))  # noqa: S308
        return context
