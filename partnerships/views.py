"""The admin's "Import projects" views: upload a CSV, see the report; for a large file,
the page of its import running in the background (progress, then the report).

The work is done by :func:`partnerships.importers.import_projects` (and, for a large
file, ``partnerships/import_jobs.py``); these views only check who may use them, take the
upload and show what happened.
"""

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from pages import roles
from partnerships import import_jobs
from partnerships.importers import COLUMN_SPECS, ImportFileError, check_file, import_projects
from partnerships.models import ProjectImport, ProjectIndexPage, ProjectPage

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
RECENT_IMPORTS = 10
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


class CanImportMixin:
    """Only for who may import (:func:`can_import_projects`); they may see, and run
    again, any import (the comms team shares them)."""

    def dispatch(self, request, *args, **kwargs):
        if not can_import_projects(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class ImportProjectsView(CanImportMixin, WagtailAdminTemplateMixin, FormView):
    page_title = "Import projects"
    header_icon = "upload"
    template_name = "partnerships/admin/import_projects.html"
    form_class = ImportProjectsForm

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
        context["inline_rows"] = settings.PROJECT_IMPORT_INLINE_ROWS

        recent = list(ProjectImport.objects.select_related("user").defer("data")[:RECENT_IMPORTS])
        for job in recent:
            if not job.finished:
                import_jobs.state(job)  # (one that stopped is marked so, and listed so)
        context["recent_imports"] = recent
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        data = upload.read()
        try:
            lines = check_file(data)
            if lines > settings.PROJECT_IMPORT_INLINE_ROWS:
                job = import_jobs.start(
                    data, upload.name, dry_run=dry_run, lines=lines, user=self.request.user
                )
                return redirect("partnerships_import_job", job.pk)
            report = import_projects(data, dry_run=dry_run, user=self.request.user, wait=False)
        except ImportFileError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        context = self.get_context_data(
            form=self.form_class(initial={"dry_run": not report.ok or dry_run}),
            report=report,
            file_name=upload.name,
            **report_rows(report, self.request),
        )
        return self.render_to_response(context)


def report_rows(report, request) -> dict[str, list[dict]]:
    """Created and updated projects as rows of the report, linked once they exist."""
    links = _links(report, request) if report.ok and not report.dry_run else {}
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


def _links(report, request) -> dict[str, dict]:
    """The imported projects' public and admin addresses, by slug (one query).

    Every project is a child of the listing, so its address is the listing's and its
    slug: one ``get_url`` for thousands of rows rather than one each."""
    index = ProjectIndexPage.objects.first()
    slugs = [*report.created, *report.updated]
    if index is None or not slugs:
        return {}
    listing = index.get_url(request)
    pages = ProjectPage.objects.child_of(index).filter(slug__in=slugs)
    return {
        slug: {
            "title": title,
            "url": f"{listing}{slug}/" if listing else None,
            "edit_url": reverse("wagtailadmin_pages:edit", args=(pk,)),
        }
        for pk, slug, title in pages.values_list("pk", "slug", "title")
    }


class _ImportJobMixin(CanImportMixin):
    def get_job(self, *, with_data: bool = False) -> ProjectImport:
        jobs = ProjectImport.objects.select_related("user")
        try:
            return (jobs if with_data else jobs.defer("data")).get(pk=self.kwargs["job_id"])
        except ProjectImport.DoesNotExist:
            raise Http404("No such import.") from None


class ImportJobView(_ImportJobMixin, WagtailAdminTemplateMixin, TemplateView):
    """One import run in the background: its progress while it runs (a progress bar that
    ``import-progress.js`` moves; without JavaScript, a "Check again" link), then its
    report, as the upload page would have shown it."""

    header_icon = "upload"
    template_name = "partnerships/admin/import_job.html"

    def get_page_title(self):
        return f"Import of {self.job.file_name}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("partnerships_import_projects"), "label": "Import projects"},
            {"url": "", "label": self.job.file_name},
        ]

    def get(self, request, *args, **kwargs):
        self.job = self.get_job()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        state = import_jobs.state(job)
        report = import_jobs.report_of(job)
        context.update(
            job=job,
            state=state,
            report=report,
            file_name=job.file_name,
            progress_url=reverse("partnerships_import_job_progress", args=(job.pk,)),
            again_url=reverse("partnerships_import_job_again", args=(job.pk,)),
        )
        if report is not None:
            context.update(report_rows(report, self.request))
        return context


class ImportJobProgressView(_ImportJobMixin, View):
    """Where an import has got to, as JSON, for its page's progress bar."""

    def get(self, request, *args, **kwargs):
        state = import_jobs.state(self.get_job())
        return JsonResponse(state, headers={"Cache-Control": "no-store"})


class ImportJobAgainView(_ImportJobMixin, View):
    """Run an import's file again: after a check, for real ("Import this file now"), or
    after it stopped ("Run it again"). A POST, like the upload."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        job = self.get_job(with_data=True)
        if not job.finished or not job.data:
            return redirect("partnerships_import_job", job.pk)
        dry_run = request.POST.get("dry_run") == "1"
        again = import_jobs.start(
            bytes(job.data), job.file_name, dry_run=dry_run, lines=job.lines, user=request.user
        )
        return redirect("partnerships_import_job", again.pk)
