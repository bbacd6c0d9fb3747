"""Many live projects in a few statements, for tests of cost at size.

``index.add_child`` costs dozens of queries a page (the tree, revisions, the search index):
500 projects would take minutes. Here the pages are written as the tree would have them
(paths after the index's last child), with a country, a theme and a UK and an overseas
partner each, in a handful of bulk INSERTs. They are not in the search index: the listing
does not use it.
"""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.sql import InsertQuery
from django.utils import timezone
from wagtail.models import Page

from partnerships.models import (
    Country,
    HealthTheme,
    PartnerOrganisation,
    ProjectIndexPage,
    ProjectPage,
)
from thet_site.treepaths import child_path, last_position


def add_projects(count: int, partners: int = 50, prefix: str = "bulk") -> list[int]:
    """Add ``count`` live projects under the project listing; return their ids."""
    index = ProjectIndexPage.objects.get()
    countries = list(Country.objects.all())
    themes = list(HealthTheme.objects.all())
    uk = PartnerOrganisation.objects.bulk_create(
        PartnerOrganisation(name=f"{prefix} UK trust {n}", slug=f"{prefix}-uk-trust-{n}")
        for n in range(partners)
    )
    overseas = PartnerOrganisation.objects.bulk_create(
        PartnerOrganisation(
            name=f"{prefix} overseas hospital {n}",
            slug=f"{prefix}-overseas-hospital-{n}",
            location=PartnerOrganisation.OVERSEAS,
        )
        for n in range(partners)
    )
    first_step = last_position(index) + 1
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(ProjectPage)
    pages = [
        ProjectPage(
            title=f"{prefix.title()} project {n}",
            draft_title=f"{prefix.title()} project {n}",
            slug=f"{prefix}-project-{n}",
            summary=f"A {prefix} project, number {n}, training health workers.",
            path=child_path(index, first_step + n),
            depth=index.depth + 1,
            numchild=0,
            url_path=f"{index.url_path}{prefix}-project-{n}/",
            live=True,
            first_published_at=now,
            last_published_at=now,
            content_type=content_type,
            locale_id=index.locale_id,
            translation_key=uuid.uuid4(),
            start_year=2010 + n % 15,
        )
        for n in range(count)
    ]
    # The Page rows first (bulk_create refuses a multi-table model), then the ProjectPage
    # rows that point at them, in one INSERT.
    Page.objects.bulk_create(pages)
    for page in pages:
        page.page_ptr_id = page.id
    insert = InsertQuery(ProjectPage)
    insert.insert_values(ProjectPage._meta.local_concrete_fields, pages, raw=True)
    for sql, params in insert.get_compiler(connection=connection).as_sql():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    Page.objects.filter(pk=index.pk).update(numchild=index.numchild + count)

    def link(relation, targets):
        through = getattr(ProjectPage, relation).through
        target_field = [
            f.name
            for f in through._meta.get_fields()
            if f.is_relation and f.related_model is not ProjectPage
        ][0]
        through.objects.bulk_create(
            through(projectpage_id=page.id, **{f"{target_field}_id": targets[n % len(targets)].pk})
            for n, page in enumerate(pages)
        )

    link("countries", countries)
    link("themes", themes)
    link("uk_partners", uk)
    link("overseas_partners", overseas)
    return [page.id for page in pages]
