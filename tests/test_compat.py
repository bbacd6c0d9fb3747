"""Each use of an upstream private name (the ``*_compat.py`` adapters) still works.

When one of these fails after an upgrade, the message names the adapter function to
revisit and the package whose upgrade broke it; the rest of the site uses only what the
adapters offer, so the fix is in one place.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest
import wagtail
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.models import Page, ReferenceIndex, Site

from pages.models import ContentPage
from partnerships.models import ProjectPage
from thet_site import wagtail_compat
from thet_site.modelsearch_compat import SearchBackend

pytestmark = pytest.mark.django_db

UPGRADE = f"(Wagtail {wagtail.__version__})"


def test_wagtail_reads_the_site_routing_remembers(rf, seeded):
    request = rf.get("/about/")
    marker_site = Site(hostname="routing-marker.example", root_page_id=1)
    wagtail_compat.remember_site(request, marker_site)
    assert Site.find_for_request(request) is marker_site, (
        f"wagtail_compat.remember_site no longer works {UPGRADE}: Wagtail does not read the "
        "request attribute it sets; update it or drop thet_site/routing.py"
    )


def test_wagtail_reads_the_route_routing_remembers(rf, seeded):
    request = rf.get("/about/")
    about = ContentPage.objects.get(slug="about")
    wagtail_compat.remember_route(request, (about, ["marker"], {"k": 1}))
    assert Page.route_for_request(request, "/somewhere-else/") == (about, ["marker"], {"k": 1}), (
        f"wagtail_compat.remember_route no longer works {UPGRADE}: update it or drop "
        "thet_site/routing.py"
    )


def test_reference_rows_are_the_ones_wagtail_writes(seeded, django_capture_on_commit_callbacks):
    project = ProjectPage.objects.filter(programme__isnull=False).first()
    page_type = ContentType.objects.get_for_model(ProjectPage)
    base_type = ContentType.objects.get_for_model(Page)
    ours = {
        (r.to_content_type_id, r.to_object_id, r.model_path, r.content_path, r.content_path_hash)
        for r in wagtail_compat.reference_rows([project], page_type, base_type)
    }
    ReferenceIndex.objects.filter(base_content_type=base_type, object_id=str(project.pk)).delete()
    ReferenceIndex.create_or_update_for_object(project)
    theirs = set(
        ReferenceIndex.objects.filter(
            base_content_type=base_type, object_id=str(project.pk)
        ).values_list(
            "to_content_type_id", "to_object_id", "model_path", "content_path", "content_path_hash"
        )
    )
    assert ours, "a project with a programme refers to it"
    assert ours == theirs, (
        f"wagtail_compat.reference_rows no longer matches Wagtail's reference index {UPGRADE}: "
        "update references_of / content_path_hash"
    )


def test_modelsearch_still_has_what_the_sqlite_ranking_overrides():
    """thet_site/modelsearch_compat.py subclasses modelsearch's SQLite compiler and results
    and calls two of their private methods."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite ranking is used only on SQLite (its module cannot load here)")
    compiler_class = SearchBackend({}).query_compiler_class
    results_class = SearchBackend({}).results_class
    for cls, name in ((compiler_class, "_build_rank_expression"), (results_class, "_do_count")):
        assert any(name in vars(base) for base in cls.__mro__[1:]), (
            f"modelsearch {version('modelsearch')} has no {name} on {cls.__mro__[1].__name__}: "
            "update thet_site/modelsearch_compat.py"
        )


def test_admin_csv_exports_still_pass_through_the_wrapped_method():
    """thet_site/wagtail_compat.py wraps ``SpreadsheetExportMixin.preprocess_field_value``
    so every admin CSV cell is neutralised (thet_site/csvsafe.py)."""
    method = SpreadsheetExportMixin.preprocess_field_value
    assert getattr(method, wagtail_compat._CELL_TRANSFORM_MARK, False), (
        f"SpreadsheetExportMixin.preprocess_field_value is not wrapped {UPGRADE}: "
        "revisit wagtail_compat.transform_csv_export_cells"
    )
    wagtail_compat.transform_csv_export_cells(str.upper)  # a second call changes nothing
    assert SpreadsheetExportMixin.preprocess_field_value is method

    # Wagtail still writes each CSV cell through it: a formula comes out neutralised, in
    # CSV only.
    class Writer:
        rows = []

        def writerow(self, row):
            self.rows.append(row)

    view = SpreadsheetExportMixin()
    view.list_export = ["title"]
    writer = Writer()
    try:
        view.write_csv_row(writer, {"title": "=1+1"})
    except (AttributeError, TypeError) as error:
        pytest.fail(
            f"SpreadsheetExportMixin.write_csv_row changed {UPGRADE} ({error}): "
            "revisit wagtail_compat.transform_csv_export_cells"
        )
    assert writer.rows and "'=1+1" in str(writer.rows[-1]), (
        f"SpreadsheetExportMixin.write_csv_row no longer calls preprocess_field_value "
        f"{UPGRADE}: revisit wagtail_compat.transform_csv_export_cells"
    )
    assert view.preprocess_field_value("title", "=1+1", view.FORMAT_XLSX) == "=1+1"
