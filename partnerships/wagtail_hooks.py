from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from pages.menus import explorer_shortcut
from pages.views import TaxonomyViewSet
from partnerships import pickers
from partnerships.iati_report import IatiReadinessView, can_see_report
from partnerships.models import Country, HealthTheme, PartnerOrganisation, ProjectIndexPage
from partnerships.views import (
    ImportJobAgainView,
    ImportJobProgressView,
    ImportJobView,
    ImportProjectsView,
    can_import_projects,
)


class CountryViewSet(TaxonomyViewSet):
    model = Country
    icon = "globe"
    list_display = ["name", "iso_code"]


class HealthThemeViewSet(TaxonomyViewSet):
    model = HealthTheme
    icon = "tag"
    list_display = ["name", "slug"]


class PartnerOrganisationViewSet(TaxonomyViewSet):
    model = PartnerOrganisation
    icon = "group"
    list_display = ["name", "location", "country"]
    list_filter = ["location", "country"]


class PartnershipsTaxonomyGroup(SnippetViewSetGroup):
    # Taxonomy only: the projects themselves are under "Projects" (below) and in Pages.
    menu_label = "Project tags"
    menu_icon = "globe"
    menu_order = 300
    items = (CountryViewSet, HealthThemeViewSet, PartnerOrganisationViewSet)


register_snippet(PartnershipsTaxonomyGroup)
explorer_shortcut("projects", "Projects", ProjectIndexPage, icon="list-ul", order=250)


# --- Import projects from a CSV file ------------------------------------------------


@hooks.register("register_admin_urls")
def register_import_projects_url():
    return pickers.urlpatterns() + [
        path(
            "import-projects/",
            ImportProjectsView.as_view(),
            name="partnerships_import_projects",
        ),
        path(
            "import-projects/<uuid:job_id>/",
            ImportJobView.as_view(),
            name="partnerships_import_job",
        ),
        path(
            "import-projects/<uuid:job_id>/progress.json",
            ImportJobProgressView.as_view(),
            name="partnerships_import_job_progress",
        ),
        path(
            "import-projects/<uuid:job_id>/again/",
            ImportJobAgainView.as_view(),
            name="partnerships_import_job_again",
        ),
        path(
            "reports/iati-readiness/",
            IatiReadinessView.as_view(),
            name="partnerships_iati_readiness",
        ),
    ]


class ImportProjectsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_import_projects(request.user)


@hooks.register("register_admin_menu_item")
def register_import_projects_menu_item():
    return ImportProjectsMenuItem(
        "Import projects",
        reverse("partnerships_import_projects"),
        icon_name="upload",
        order=310,
    )


# --- What the projects' IATI data lacks -----------------------------------------------------


class IatiReadinessMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_report(request.user)


@hooks.register("register_reports_menu_item")
def register_iati_readiness_menu_item():
    return IatiReadinessMenuItem(
        "IATI readiness",
        reverse("partnerships_iati_readiness"),
        icon_name="doc-full",
        order=900,
    )


# --- Type-ahead pickers: confirm before creating, say why not, no red chosen items -----


@hooks.register("insert_global_admin_js")
def picker_confirmations():
    return format_html('<script src="{}"></script>', static("js/admin-pickers.js"))


@hooks.register("insert_global_admin_css")
def picker_styles():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin-pickers.css"))
