"""Writing many new project pages at once, and the indexing that goes with it.

What Wagtail does page by page (``add_child``, ``save_revision``, ``publish``, the search
and reference indexes on every save) costs about a hundred queries a project; an import
of thousands of rows (``partnerships/importers.py``) does it here in a fixed number of
queries a batch, with the same rows, revisions, history and ``page_published`` signals.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.functions import Cast
from django.db.models.signals import post_save
from django.utils import timezone
from modelcluster.models import get_all_child_relations
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.models import IndexEntry
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.signals import page_published

from partnerships.iati_settings import IatiSettings
from partnerships.models import ProjectIndexPage, ProjectPage
from thet_site.pagecache import one_invalidation
from thet_site.treepaths import child_path, last_position
from thet_site.wagtail_compat import reference_rows

RELATIONS = ("countries", "themes", "uk_partners", "overseas_partners")


@contextmanager
def indexing_deferred():
    """Skip the search and reference index updates that every save of a project would do.

    A page updated through Wagtail is saved three times (edited, revision saved,
    published) and each save re-indexes it; for a large file that is most of the time.
    The caller indexes each imported page once at the end instead (see :func:`index_pages`).
    """
    post_save.disconnect(post_save_signal_handler, sender=ProjectPage)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        post_save.connect(post_save_signal_handler, sender=ProjectPage)


def index_pages(pages: list[ProjectPage], created: list[ProjectPage]) -> None:
    """Bring the search and reference indexes up to date for ``pages`` (the imported
    ones), of which ``created`` are new."""
    if not pages:
        return
    new = {page.pk for page in created}
    # The updated pages as saved; the new ones are indexed as they are in memory (reading
    # thousands back with their relations costs more than the indexing itself).
    fresh = list(
        ProjectPage.objects.filter(
            pk__in=[page.pk for page in pages if page.pk not in new]
        ).prefetch_related(*RELATIONS)
    )
    for page in fresh:
        ReferenceIndex.create_or_update_for_object(page)
    # A new page has no references recorded yet: Wagtail's own extraction for each
    # (the in-memory pages, which know they have no comments), written in one go.
    page_type = ContentType.objects.get_for_model(ProjectPage)
    base_type = ContentType.objects.get_for_model(Page)
    ReferenceIndex.objects.bulk_create(
        reference_rows(created, page_type, base_type), batch_size=500
    )
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(ProjectPage, [*fresh, *created])


def _insert(table: str, columns: list[str], rows: list) -> None:
    """Rows of values ready for the database, into ``table``, in one ``executemany``."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # only the models' own names  # noqa: S608
        quote(table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_project_rows(pages: list[ProjectPage]) -> None:
    """The ``ProjectPage`` rows of ``pages`` (whose ``Page`` rows exist): what a "raw"
    ``save_base`` of each does (only the model's own table, no parent look-ups), without a
    statement built and sent per page. ``bulk_create`` refuses a model with a parent table."""
    fields = ProjectPage._meta.local_concrete_fields
    _insert(
        ProjectPage._meta.db_table,
        [field.column for field in fields],
        [
            [field.get_db_prep_save(getattr(page, field.attname), connection) for field in fields]
            for page in pages
        ],
    )


def create_published(
    index: ProjectIndexPage,
    pages: list[ProjectPage],
    user,
    related: list[dict] | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Add ``pages`` under ``index``, published, in a fixed number of queries per page.

    What ``index.add_child(instance=page)``, ``page.save_revision()`` and
    ``revision.publish()`` do for one page, for all of them at once (those take about a
    hundred queries a page): each page gets the next tree path, its rows,
    one revision with its content and the three history entries the admin's "Publish" of a
    new page leaves ("created", "edited" with the revision, "published"), and
    ``page_published`` is sent as Wagtail does. The rows were checked before (``read_rows``:
    titles, slugs unique in the file and under the listing, years), which is the
    validation ``full_clean`` would repeat.

    ``related``: for each page, its countries, themes and partners by relation name (what
    was assigned to it), so the many-to-many rows are written without asking each page's
    relation managers again; without it they are read from the pages. ``progress`` is
    told how many pages have been published so far, after each.
    """
    if not pages:
        return
    now = timezone.now()
    page_type = ContentType.objects.get_for_model(ProjectPage)
    base_type = ContentType.objects.get_for_model(Page)
    depth = index.depth + 1
    for n, page in enumerate(pages, start=last_position(index) + 1):
        page.path = child_path(index, n)
        page.depth = depth
        page.numchild = 0
        page.url_path = f"{index.url_path}{page.slug}/"
        page.draft_title = page.title
        page.locale_id = index.locale_id
        page.content_type = page_type
        page.owner = user
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = now
        page.latest_revision_created_at = now
        for relation in get_all_child_relations(page):  # (a new page has no comments)
            setattr(page, relation.get_accessor_name(), [])
    # The page rows in one statement a batch, then each project row with a "raw" save
    # (only its own table: the parent row exists; no full_clean or parent look-ups, done
    # above; the many-to-many relations are written below, in bulk).
    page_fields = [f.attname for f in Page._meta.concrete_fields if not f.primary_key]
    rows = Page.objects.bulk_create(
        [Page(**{name: getattr(page, name) for name in page_fields}) for page in pages],
        batch_size=500,
    )
    reporting = IatiSettings.current()
    for page, row in zip(pages, rows, strict=True):
        page.id = page.page_ptr_id = row.pk
        # What ProjectPage.save() fixes at the first publication.
        page.iati_identifier = reporting.activity_identifier(page.pk)
    _insert_project_rows(pages)
    if related is None:
        related = [{name: list(getattr(page, name).all()) for name in RELATIONS} for page in pages]
    for name in RELATIONS:
        field = ProjectPage._meta.get_field(name)
        through = field.remote_field.through._meta
        columns = [
            through.get_field(field.m2m_field_name()).column,
            through.get_field(field.m2m_reverse_field_name()).column,
        ]
        # Two integers a row: plain parameters, without a model instance per row.
        _insert(
            through.db_table,
            columns,
            [
                (page.pk, obj.pk)
                for page, objects in zip(pages, related, strict=True)
                for obj in objects.get(name, ())
            ],
        )
    revisions = Revision.objects.bulk_create(
        [
            Revision(
                content_type=page_type,
                base_content_type=base_type,
                object_id=str(page.pk),
                user=user,
                created_at=now,
                content=page.serializable_data(),
                object_str=str(page),
            )
            for page in pages
        ]
    )
    latest = Revision.objects.filter(
        base_content_type=base_type, object_id=Cast(models.OuterRef("pk"), models.CharField())
    ).order_by("-pk")
    Page.objects.filter(pk__in=[page.pk for page in pages]).update(
        latest_revision=models.Subquery(latest.values("pk")[:1]),
        live_revision=models.Subquery(latest.values("pk")[:1]),
    )
    index.numchild += len(pages)
    Page.objects.filter(pk=index.pk).update(numchild=models.F("numchild") + len(pages))
    PageLogEntry.objects.bulk_create(
        [
            PageLogEntry(
                content_type=page_type,
                label=page.get_admin_display_title(),
                action=action,
                timestamp=now,
                user=user,
                page_id=page.pk,
                revision=None if action == "wagtail.create" else revision,
                content_changed=True,
            )
            for page, revision in zip(pages, revisions, strict=True)
            for action in ("wagtail.create", "wagtail.edit", "wagtail.publish")
        ]
    )
    with one_invalidation():  # (one new cache generation for them all, not one each)
        for n, (page, revision) in enumerate(zip(pages, revisions, strict=True), start=1):
            page.latest_revision = page.live_revision = revision
            page_published.send(sender=ProjectPage, instance=page, revision=revision)
            if progress is not None:
                progress(n)


def analyse(pages: list[ProjectPage]) -> None:
    """On PostgreSQL, refresh the planner's statistics of the tables a large import grew.

    Autovacuum does it within a minute or so; until then the planner may think the
    tables hold what they held before (a nested loop over thousands of projects where a
    hash join was needed), and those are the first visitors after a launch."""
    if connection.vendor != "postgresql" or len(pages) < 100:
        return
    tables = [Page, ProjectPage, IndexEntry] + [
        ProjectPage._meta.get_field(name).remote_field.through for name in RELATIONS
    ]
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")
