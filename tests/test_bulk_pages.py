"""The bulk page writer leaves exactly the rows Wagtail's own path leaves.

``partnerships/bulk_pages.py`` writes new projects without ``add_child``,
``save_revision`` and ``publish`` (a hundred queries a page) so that an import of
thousands of rows finishes in seconds. It is only safe while it writes what Wagtail
writes: here the same project is made both ways and every row each leaves is compared
(tree fields, revision, history, reference index, search index). A Wagtail upgrade
that adds a column, a log entry or an index row the bulk path misses fails here.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.models import IndexEntry

from partnerships.bulk_pages import create_published, index_pages, indexing_deferred
from partnerships.models import Country, HealthTheme, ProgrammePage, ProjectIndexPage, ProjectPage
from thet_site.treepaths import child_path, last_position, step, step_number

pytestmark = pytest.mark.django_db

# Fields that differ between any two pages by nature (identity, time, position).
VARYING = {
    "id",
    "page_ptr_id",
    "path",
    "slug",
    "title",
    "draft_title",
    "url_path",
    "translation_key",
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
    "latest_revision_id",
    "live_revision_id",
    "summary",
    "pk",
    "iati_identifier",  # the page's own number in it: compared below
}


def project(name: str) -> ProjectPage:
    return ProjectPage(
        title=f"{name} project",
        slug=f"{name}-project",
        summary=f"Training midwives, the {name} way.",
        start_year=2012,
        end_year=2016,
    )


def with_relations(page: ProjectPage, countries, themes) -> ProjectPage:
    page.programme = ProgrammePage.objects.first()  # a reference the index records
    page.countries = countries
    page.themes = themes
    return page


def made_by_wagtail(index, user, countries, themes) -> ProjectPage:
    page = with_relations(project("wagtail"), countries, themes)
    page.owner = user  # as the admin's create view does; add_child leaves it empty
    index.add_child(instance=page)
    page.save_revision(user=user, log_action=True).publish(user=user)
    return ProjectPage.objects.get(pk=page.pk)


def made_in_bulk(index, user, countries, themes) -> ProjectPage:
    page = with_relations(project("bulkway"), countries, themes)
    with indexing_deferred():
        create_published(index, [page], user)
    index_pages([page], [page])
    return ProjectPage.objects.get(pk=page.pk)


def row(page: ProjectPage) -> dict:
    return {
        field.attname: getattr(page, field.attname)
        for field in ProjectPage._meta.concrete_fields
        if field.attname not in VARYING
    }


def same_shape(value, ours: ProjectPage):
    """A value with the page's own name replaced, so two pages' values compare."""
    name = ours.slug.removesuffix("-project")
    if isinstance(value, dict):
        return {key: same_shape(item, ours) for key, item in value.items() if key not in VARYING}
    if isinstance(value, list):
        return [same_shape(item, ours) for item in value]
    if isinstance(value, str):
        return value.replace(name, "NAME")
    return value


@pytest.fixture
def two_ways(seeded, django_user_model, django_capture_on_commit_callbacks):
    user = django_user_model.objects.create_superuser("bulk-check", "b@example.org", "x")
    index = ProjectIndexPage.objects.get()
    countries = list(Country.objects.order_by("pk")[:2])
    themes = list(HealthTheme.objects.order_by("pk")[:1])
    # Wagtail writes the reference index once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        wagtail = made_by_wagtail(index, user, countries, themes)
    bulk = made_in_bulk(ProjectIndexPage.objects.get(), user, countries, themes)
    return wagtail, bulk


def test_tree_and_page_fields_match(two_ways):
    wagtail, bulk = two_ways
    assert row(bulk) == row(wagtail)
    assert step_number(bulk.path[-Page.steplen :]) == step_number(wagtail.path[-Page.steplen :]) + 1
    assert bulk.url_path == wagtail.url_path.replace("wagtail-project", "bulkway-project")
    assert bulk.get_parent().numchild == ProjectIndexPage.objects.get().get_children().count()
    assert bulk.live_revision_id == bulk.latest_revision_id is not None
    assert wagtail.live_revision_id == wagtail.latest_revision_id is not None
    assert list(bulk.countries.all()) == list(wagtail.countries.all())
    for page in two_ways:  # fixed at the first publication, with the page's number
        assert page.iati_identifier.endswith(f"-{page.pk}"), page.iati_identifier
    assert list(bulk.themes.all()) == list(wagtail.themes.all())


def test_revisions_match(two_ways):
    wagtail, bulk = two_ways
    revisions = {
        page.slug: list(Revision.page_revisions.filter(object_id=str(page.pk))) for page in two_ways
    }
    assert len(revisions[bulk.slug]) == len(revisions[wagtail.slug]) == 1
    ours, theirs = revisions[bulk.slug][0], revisions[wagtail.slug][0]
    assert same_shape(ours.content, bulk) == same_shape(theirs.content, wagtail)
    assert (ours.content_type_id, ours.base_content_type_id, ours.user_id) == (
        theirs.content_type_id,
        theirs.base_content_type_id,
        theirs.user_id,
    )


def test_history_matches(two_ways):
    wagtail, bulk = two_ways

    def history(page):
        return sorted(
            (entry.action, entry.content_type_id, entry.user_id, entry.revision_id is not None)
            for entry in PageLogEntry.objects.filter(page_id=page.pk)
        )

    assert history(bulk) == history(wagtail)


def test_reference_index_matches(two_ways):
    wagtail, bulk = two_ways

    def references(page):
        return sorted(
            (r.content_type_id, r.base_content_type_id, r.to_content_type_id, r.to_object_id)
            + (r.model_path, r.content_path, r.content_path_hash)
            for r in ReferenceIndex.objects.filter(
                base_content_type=ContentType.objects.get_for_model(Page),
                object_id=str(page.pk),
            )
        )

    assert references(wagtail), "the project refers to its programme"
    assert references(bulk) == references(wagtail)


def test_search_index_matches(two_ways):
    wagtail, bulk = two_ways

    def entry(page):
        found = IndexEntry.objects.get(
            content_type=ContentType.objects.get_for_model(ProjectPage), object_id=str(page.pk)
        )
        return {
            # PostgreSQL keeps a tsvector's lexemes sorted: after the name is replaced they
            # are compared as a set.
            name: sorted(same_shape(str(value), page).split(" "))
            for name, value in vars(found).items()
            # title_norm weighs the title against the index's average at the time of
            # indexing, so it differs between any two pages indexed one after the other.
            if name not in ("_state", "id", "object_id", "title_norm") and not name.endswith("_id")
        }

    assert entry(bulk) == entry(wagtail)


def test_tree_paths_are_the_ones_add_child_gives(seeded):
    index = ProjectIndexPage.objects.get()
    expected = child_path(index, last_position(index) + 1)
    page = project("path")
    index.add_child(instance=page)
    assert page.path == expected
    assert step(step_number("00Z1")) == "00Z1"
    with pytest.raises(ValueError):
        step(len(Page.alphabet) ** Page.steplen)
