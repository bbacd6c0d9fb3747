"""Whether a publication's document stays private until the publication launches (#13).

Read on every document download (``policy/wagtail_hooks.py``, ``before_serve_document``);
tests/test_document_holdback.py shows each case.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction, ReferenceIndex, Revision

from policy.models import PublicationPage


def document_is_held_back(document) -> bool:
    """Whether a document must stay private because its publication has not launched.

    Only what is live and what is to come counts, never history (#13):

    * A document that live content offers is public, whatever drafts say: the document of
      a live, public publication, or a file that a live, public page links to (Wagtail's
      reference index, which records each page as published).
    * Otherwise it is held back while a publication refers to it: the saved page of a
      publication that is not live or not public (scheduled, draft-only, unpublished,
      private), the latest revision of any publication (a draft, or a launch waiting for
      sign-off) or a revision scheduled to go live. So a scheduled publication's file
      waits for `publish_scheduled`, a new edition attached in a draft waits for that
      draft to be published, and unpublishing a publication withdraws its file too.
    * A document no publication refers to in those ways is public, as it always was:
      files only ordinary pages link to, and files that only old revisions mention.

    One query for a file that is live (every download of a live publication), two
    otherwise, in plain SQL: it runs on every download.
    """
    if _offered_live(document.pk):
        return False
    return _referred_to_by_a_publication(document.pk)


def _offered_live(document_pk) -> bool:
    """Whether a live page outside every private section offers or links to the document.

    Plain SQL, portable between SQLite and PostgreSQL: the same query through the ORM
    (three nested subqueries) costs several times more to build than to run.
    """
    page = Page._meta.db_table
    document_model = get_document_model()
    sql = f"""
        SELECT 1 FROM {page} p
        WHERE p.id IN (
            SELECT page_ptr_id FROM {PublicationPage._meta.db_table} WHERE document_id = %s
            UNION
            SELECT CAST(object_id AS INTEGER) FROM {ReferenceIndex._meta.db_table}
            WHERE to_content_type_id = %s AND to_object_id = %s AND base_content_type_id = %s
        )
        AND p.live
        AND NOT EXISTS (
            SELECT 1 FROM {PageViewRestriction._meta.db_table} r
            JOIN {page} rp ON rp.id = r.page_id
            WHERE SUBSTR(p.path, 1, LENGTH(rp.path)) = rp.path
        )
        LIMIT 1
    """  # noqa: S608 - table names from the models, values as parameters
    params = [
        document_pk,
        ContentType.objects.get_for_model(document_model).pk,
        str(document_pk),
        ContentType.objects.get_for_model(Page).pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def _referred_to_by_a_publication(document_pk) -> bool:
    """Whether a publication's saved page, latest revision or scheduled revision names it."""
    if connection.vendor == "postgresql":
        document_of, value = "({}.content ->> 'document')", str(document_pk)
    else:  # SQLite (and MySQL) have json_extract
        document_of, value = "json_extract({}.content, '$.document')", document_pk
    publication, page = PublicationPage._meta.db_table, Page._meta.db_table
    revision = Revision._meta.db_table
    sql = f"""
        SELECT
            EXISTS (SELECT 1 FROM {publication} WHERE document_id = %s)
            OR EXISTS (
                SELECT 1 FROM {publication} pp
                JOIN {page} p ON p.id = pp.page_ptr_id
                JOIN {revision} lr ON lr.id = p.latest_revision_id
                WHERE {document_of.format("lr")} = %s
            )
            OR EXISTS (
                SELECT 1 FROM {revision} r
                WHERE r.content_type_id = %s AND r.approved_go_live_at IS NOT NULL
                AND {document_of.format("r")} = %s
            )
    """  # noqa: S608 - table names from the models, values as parameters
    params = [
        document_pk,
        value,
        ContentType.objects.get_for_model(PublicationPage).pk,
        value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.fetchone()[0])
