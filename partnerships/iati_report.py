"""The admin's "IATI readiness" report: every live public project whose activity in
``/our-work/projects/data.xml`` lacks something (``partnerships.iati.problems``), what
it lacks, and a link to where each is fixed (the project, its programme, a theme, a
partner, or the IATI settings).

For whoever may edit the projects. A fixed number of queries for any number of projects
(the projects, their four relations, the settings), then one permission look-up per
distinct programme, theme or partner linked.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from partnerships import iati
from partnerships.iati_panels import with_links
from partnerships.listings import iati_columns, iati_facts
from partnerships.models import IatiSettings, ProjectIndexPage

PER_PAGE = 100


def can_see_report(user) -> bool:
    """Whoever may edit the projects (their rights on the project listing's subtree)."""
    if not user.is_active:
        return False
    index = ProjectIndexPage.objects.first()
    return index is not None and index.permissions_for_user(user).can_edit()


class IatiReadinessView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "IATI readiness"
    header_icon = "doc-full"
    template_name = "partnerships/admin/iati_readiness.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_see_report(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("partnerships_iati_readiness"), "label": self.page_title}
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        index = ProjectIndexPage.objects.first()
        settings = IatiSettings.current()
        projects = list(iati_columns(index.listed_projects()))
        facts = iati_facts(projects)
        flagged = []
        for project in projects:
            found = iati.problems(project, settings, facts=facts[project.pk])
            if found:
                flagged.append((project, found))
        page = Paginator(flagged, PER_PAGE).get_page(self.request.GET.get("p"))
        user = self.request.user
        rows = []
        for project, found in page.object_list:
            edit = reverse("wagtailadmin_pages:edit", args=(project.pk,))
            problems = with_links(found, user, known={(type(project), project.pk): edit})
            rows.append(
                {
                    "project": project,
                    "identifier": iati.identifier(project, settings),
                    "edit_url": edit,
                    "problems": problems,
                }
            )
        context.update(
            rows=rows,
            page=page,
            total=len(projects),
            flagged=len(flagged),
            settings_url=reverse(
                "wagtailsettings:edit",
                args=(IatiSettings._meta.app_label, IatiSettings._meta.model_name),
            ),
            data_url=index.get_url(self.request) + "data.xml",
        )
        return context
