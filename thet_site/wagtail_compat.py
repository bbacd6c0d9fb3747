"""Every use of a Wagtail name that is not public API, in one place.

The rest of the project uses Wagtail through its documented API (hooks, settings, public
methods). What is here has no public equivalent and is worth keeping for what it saves;
each function says why. ``tests/test_compat.py`` exercises every one against the
installed Wagtail and fails with the name of the function to revisit, so an upgrade that
renames or drops one of these is caught by CI, not by a visitor.

``tests/test_private_names.py`` fails if a private Wagtail, Django or modelsearch name is
used anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.models import ReferenceIndex

# --- The request's site and route (thet_site/routing.py) -----------------------------
# Wagtail keeps the result of ``Site.find_for_request`` and ``Page.route_for_request`` on
# the request under these names. Routing fills them in from its own cache, so Wagtail's
# serve view, hooks and privacy checks run as usual without repeating the look-ups
# (measured in docs/decisions.md, "The routing memo").
_SITE_ATTRIBUTE = "_wagtail_site"
_ROUTE_ATTRIBUTE = "_wagtail_route_for_request"


def remember_site(request: HttpRequest, site: Any) -> None:
    """Make ``Site.find_for_request(request)`` answer ``site`` without a query."""
    setattr(request, _SITE_ATTRIBUTE, site)


def remember_route(
    request: HttpRequest, route: tuple[Any, list[str], dict[str, Any]] | None
) -> None:
    """Make ``Page.route_for_request(request, path)`` answer ``route`` (a ``(page, args,
    kwargs)`` tuple, or None for "no page here") without walking the tree."""
    setattr(request, _ROUTE_ATTRIBUTE, route)


# --- The reference index, written in bulk (partnerships/bulk_pages.py) ---------------
# ``ReferenceIndex.create_or_update_for_object`` is the public way, at several queries
# an object. A bulk import of new pages (which have no references yet) writes the same
# rows for thousands of pages in one INSERT a batch, using Wagtail's own extraction so
# the rows are exactly the ones Wagtail would write.


def references_of(obj: Any) -> set[tuple[int, str, str, str]]:
    """``(to_content_type_id, to_object_id, model_path, content_path)`` for every
    reference ``obj`` makes, as Wagtail's reference index records them."""
    return set(ReferenceIndex._extract_references_from_object(obj))


def content_path_hash(content_path: str) -> Any:
    """The value Wagtail stores in ``ReferenceIndex.content_path_hash`` for a path."""
    return ReferenceIndex._get_content_path_hash(content_path)


def reference_rows(objects: Iterable[Any], content_type: Any, base_content_type: Any) -> list[Any]:
    """Unsaved ``ReferenceIndex`` rows for new objects of one type (nothing recorded yet)."""
    return [
        ReferenceIndex(
            content_type=content_type,
            base_content_type=base_content_type,
            object_id=obj.pk,
            to_content_type_id=to_type,
            to_object_id=to_id,
            model_path=model_path,
            content_path=content_path,
            content_path_hash=content_path_hash(content_path),
        )
        for obj in objects
        for to_type, to_id, model_path, content_path in references_of(obj)
    ]


# --- Every cell of the admin's CSV exports (thet_site/csvsafe.py) --------------------
# Wagtail 8 writes all of its admin exports (page reports, "Site history", workflow and
# search-term reports, redirects, form submissions, any viewset listing with
# ``list_export``) through ``SpreadsheetExportMixin.preprocess_field_value``, and has
# neither a setting nor a hook to change a cell for every view at once; subclassing would
# mean re-registering each of those views. So that one method is wrapped, once, at
# start-up. The method is documented, but replacing it on Wagtail's class is not, so it
# lives here, checked by tests/test_compat.py.
_CELL_TRANSFORM_MARK = "thet_csv_cell_transform"


def transform_csv_export_cells(transform: Any) -> None:
    """Pass every cell of every Wagtail admin CSV export through ``transform(value)``
    after Wagtail's own formatting; other formats (xlsx) are left as Wagtail writes them.
    Idempotent: calling it again does not wrap twice."""
    original = SpreadsheetExportMixin.preprocess_field_value
    if getattr(original, _CELL_TRANSFORM_MARK, False):
        return

    def preprocess_field_value(self: Any, field: str, value: Any, export_format: str) -> Any:
        value = original(self, field, value, export_format)
        return transform(value) if export_format == self.FORMAT_CSV else value

    setattr(preprocess_field_value, _CELL_TRANSFORM_MARK, True)
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
