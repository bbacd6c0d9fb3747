"""The admin's "Import projects" view: upload a CSV, see the report.

The work is done by :func:`partnerships.importers.import_projects`; this view only checks
who may use it, takes the upload and shows what happened.
"""

from pathlib import Path

from django import forms
from django.core.validators import FileExtensionValidator
from django.http import FileResponse
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from pages import roles
from partnerships.importers import COLUMN_SPECS, ImportFileError, import_projects
from partnerships.models import ProjectIndexPage, ProjectPage

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SAMPLE_FILE = Path(__file__).parent / "data" / "sample_projects.csv"

# The taxonomy an import may add to.
SNIPPET_MODELS = [model for app, model in roles.SNIPPETS if app == "partnerships"]


def can_import_projects(user) -> bool:
    """Whoever may add and publish projects under the project listing, and add the
    countries, themes and partners an import may create (e.g. Comms editors). A
    moderator, who may publish but not write pages, may not."""
    if not user.is_active:
        return False
    if not all(user.has_perm(f"partnerships.add_{model}") for model in SNIPPET_MODELS):
        return False  # (checked first: no query, and asked on every admin page for the menu)
    index = ProjectIndexPage.objects.first()
    if index is None:
        return False
    permissions = index.permissions_for_user(user)
    return permissions.can_add_subpage() and permissions.can_publish_subpage()


class ImportProjectsForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        validators=[FileExtensionValidator(["csv"])],
        help_text=(
            "A UTF-8 CSV file (in Excel: Save As, “CSV UTF-8”), separated by commas or "
            "semicolons, whose first line names the columns (see the table). The projects "
            "listing's own download (data.csv) is one. Separate several countries, themes "
            "or partners in one cell with “;”."
        ),
    )
    dry_run = forms.BooleanField(
        label="Check only, do not import",
        required=False,
        initial=True,
        help_text="Untick to import. Checking first shows any problems and what would change.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB; split it into parts.")
        return upload


class ImportProjectsView(WagtailAdminTemplateMixin, FormView):
    page_title = "Import projects"
    header_icon = "upload"
    template_name = "partnerships/admin/import_projects.html"
    form_class = ImportProjectsForm

    def dispatch(self, request, *args, **kwargs):
        if not can_import_projects(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("partnerships_import_projects"), "label": self.page_title}
        ]

    def get(self, request, *args, **kwargs):
        if request.GET.get("sample") is not None:
            return FileResponse(
                SAMPLE_FILE.open("rb"),
                as_attachment=True,
                filename="thet-projects-sample.csv",
                content_type="text/csv; charset=utf-8",
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = [
            {
                "name": column.name,
                "required": column.new_needs,
                "help": column.help,
                "headers": column.headers,
            }
            for column in COLUMN_SPECS
        ]
        context["sample_url"] = reverse("partnerships_import_projects") + "?sample"
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        try:
            report = import_projects(upload.read(), dry_run=dry_run, user=self.request.user)
        except ImportFileError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        context = self.get_context_data(
            form=self.form_class(initial={"dry_run": not report.ok or dry_run}),
            report=report,
            file_name=upload.name,
            **self.rows(report, self.links(report) if report.ok and not dry_run else {}),
        )
        return self.render_to_response(context)

    @staticmethod
    def rows(report, links) -> dict[str, list[dict]]:
        """Created and updated projects as rows of the report, linked once they exist."""
        return {
            f"{kind}_rows": [
                {
                    "slug": slug,
                    "title": report.titles.get(slug, slug),
                    "changes": report.changes.get(slug, []),
                    **links.get(slug, {}),
                }
                for slug in getattr(report, kind)
            ]
            for kind in ("created", "updated")
        }

    def links(self, report) -> dict[str, dict]:
        """The imported projects' public and admin addresses, by slug (one query).

        Every project is a child of the listing, so its address is the listing's and its
        slug: one ``get_url`` for thousands of rows rather than one each."""
        index = ProjectIndexPage.objects.first()
        slugs = [*report.created, *report.updated]
        if index is None or not slugs:
            return {}
        listing = index.get_url(self.request)
        pages = ProjectPage.objects.child_of(index).filter(slug__in=slugs)
        return {
            slug: {
                "title": title,
                "url": f"{listing}{slug}/" if listing else None,
                "edit_url": reverse("wagtailadmin_pages:edit", args=(pk,)),
            }
            for pk, slug, title in pages.values_list("pk", "slug", "title")
        }
