"""The editor's view of a project's IATI data: a panel on the project's edit form that
lists what its activity in ``/our-work/projects/data.xml`` lacks (``partnerships.iati``),
each with a link to where it is fixed. It shows the project as last saved."""

from __future__ import annotations

from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.panels import Panel

from partnerships import iati


def with_links(problems, user, known: dict | None = None) -> list[dict]:
    """Each problem's message and the admin address that fixes it (None where ``user``
    may not edit that object); one look-up per object, however often it comes up.
    ``known``: addresses already worked out, by (model, pk)."""
    finder = AdminURLFinder(user)
    urls = dict(known or {})
    rows = []
    for problem in problems:
        target = problem.target
        key = (type(target), target.pk)
        if key not in urls:
            urls[key] = finder.get_edit_url(target) if target.pk else None
        rows.append({"message": problem.message, "url": urls[key], "target": target})
    return rows


class IatiReadinessPanel(Panel):
    """``IatiReadinessPanel(settings=IatiSettings.current)``."""

    def __init__(self, settings, **kwargs):
        kwargs.setdefault("heading", "IATI data")
        super().__init__(**kwargs)
        self.settings = settings

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs["settings"] = self.settings
        return kwargs

    @property
    def clean_name(self):
        return super().clean_name or "iati_readiness"

    class BoundPanel(Panel.BoundPanel):
        template_name = "partnerships/admin/iati_readiness_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            problems = iati.problems(self.instance, self.panel.settings())
            rows = with_links(problems, self.request.user)
            for row in rows:  # the project's own fields are on this form
                row["here"] = row["target"] is self.instance
            context["problems"] = rows
            context["published"] = bool(self.instance.pk and self.instance.live)
            return context
