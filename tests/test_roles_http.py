"""The roles mean what docs/publishing.md says, proven by POSTs to the admin.

For every role: each forbidden action is refused and the site is unchanged, and what the
role is for still works.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import GroupPagePermission, Page, PageViewRestriction
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from pages import roles
from policy.models import PolicyWorkPage, PublicationIndexPage, PublicationPage
from tests.conftest import PDF_BYTES
from tests.factories import (
    ContentPageFactory,
    DocumentFactory,
    ImageFactory,
    PublicationPageFactory,
)
from tests.test_roles import (
    add_publication_url,
    as_user,
    home,
    home_form,
    publication_form,
    submit_publication,
    workflow_action,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def about(seeded):
    """An ordinary live page, as any editor makes."""
    return ContentPageFactory(title="About our roles")


@pytest.fixture
def a_publication(seeded):
    """A live publication that went through sign-off."""
    return PublicationPageFactory(title="A signed-off report")


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def publication_edit_form(page, action, **changes):
    page = page.specific
    fields = {
        "title": page.title,
        "slug": page.slug,
        "publication_type": page.publication_type_id,
        "publication_date": page.publication_date.isoformat(),
        "summary": page.summary,
        "body": streamfield([("paragraph", rich_text("<p>Our analysis.</p>"))]),
        "document": page.document_id or "",
        "cover_image": page.cover_image_id or "",
    }
    fields.update(changes)
    data = nested_form_data(fields)
    data[action] = "1"
    return data


def bulk_publish(client, user, page):
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    return as_user(client, user).post(f"{url}?id={page.pk}", {"include_descendants": ""})


def draft_publication(client, policy_user):
    """A publication the Policy team saved as a draft (not submitted)."""
    data = publication_form(slug="draft-briefing", title="Draft briefing")
    del data["action-submit"]
    as_user(client, policy_user).post(add_publication_url(), data)
    client.logout()
    page = PublicationPage.objects.get(slug="draft-briefing")
    assert not page.live
    return page


# --- Moderators: approve or reject what is submitted, nothing else ------------------


def test_moderators_hold_no_page_permission():
    assert not GroupPagePermission.objects.filter(group__name=roles.MODERATORS).exists()


def test_moderator_approval_publishes_without_a_page_permission(client, policy, moderator):
    page = submit_publication(client, policy)
    client.logout()
    assert not page.permissions_for_user(moderator).can_publish()
    assert workflow_action(client, moderator, page, "approve").status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.live_revision.user == policy  # the submitted revision, unchanged


def test_moderator_approves_from_the_editor_too(client, policy, moderator):
    page = submit_publication(client, policy)
    client.logout()
    data = publication_edit_form(page.get_latest_revision_as_object(), "action-workflow-action")
    data["workflow-action-name"] = "approve"
    response = as_user(client, moderator).post(edit_url(page), data)
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live


def test_moderator_cannot_unpublish_a_page(client, moderator, about, a_publication):
    page = about
    url = reverse("wagtailadmin_pages:unpublish", args=(page.pk,))
    response = as_user(client, moderator).post(url, {"include_descendants": "on"})
    assert response.status_code in (302, 403)
    page.refresh_from_db()
    assert page.live
    publication = a_publication
    url = reverse("wagtailadmin_pages:unpublish", args=(publication.pk,))
    client.post(url)
    publication.refresh_from_db()
    assert publication.live
    client.logout()
    assert client.get(page.url).status_code == 200


def test_moderator_cannot_put_a_password_on_the_home_page(client, moderator):
    url = reverse("wagtailadmin_pages:set_privacy", args=(home().pk,))
    response = as_user(client, moderator).post(
        url, {"restriction_type": "password", "password": "let-me-in", "groups": []}
    )
    assert response.status_code in (302, 403)
    assert not PageViewRestriction.objects.exists()
    client.logout()
    assert client.get("/").status_code == 200


def test_moderator_cannot_publish_or_reorder_outside_a_workflow(client, policy, moderator):
    draft = draft_publication(client, policy)
    bulk_publish(client, moderator, draft)
    draft.refresh_from_db()
    assert not draft.live
    # Nor edit and publish a page directly.
    client.post(edit_url(draft), publication_edit_form(draft, "action-publish"))
    draft.refresh_from_db()
    assert not draft.live
    # Nor reorder the site's pages.
    first, second = home().get_children()[:2]
    url = reverse("wagtailadmin_pages:set_page_position", args=(second.pk,))
    response = client.post(f"{url}?position=0")
    assert response.status_code in (302, 403)
    assert list(home().get_children()[:2]) == [first, second]


# --- Comms editors: publish the site directly; the policy side through sign-off -----


def test_comms_editor_publish_on_a_publication_only_saves_a_draft(client, comms, a_publication):
    page = a_publication
    live_summary = page.summary
    response = as_user(client, comms).post(
        edit_url(page), publication_edit_form(page, "action-publish", summary="Unreviewed.")
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.summary == live_summary  # the live page did not change
    assert page.has_unpublished_changes  # the editor's work is kept as a draft
    assert page.get_latest_revision_as_object().summary == "Unreviewed."
    client.logout()
    assert "Unreviewed." not in client.get(page.url).content.decode()


def test_comms_editor_cannot_create_and_publish_a_publication(client, comms):
    data = publication_form(slug="comms-direct")
    del data["action-submit"]
    data["action-publish"] = "1"
    as_user(client, comms).post(add_publication_url(), data)
    page = PublicationPage.objects.get(slug="comms-direct")
    assert not page.live
    # Nor publish one (or Policy Work) through the bulk action.
    bulk_publish(client, comms, page)
    page.refresh_from_db()
    assert not page.live
    policy_work = PolicyWorkPage.objects.get()
    url = edit_url(policy_work)
    html = client.get(url).content.decode()
    assert 'name="action-publish"' not in html
    assert 'name="action-submit"' in html  # "Submit to Policy sign-off" instead


def test_comms_editor_submits_a_publication_and_a_moderator_approves(client, comms, moderator):
    page = submit_publication(client, comms, slug="comms-briefing")
    assert not page.live
    assert page.current_workflow_state.workflow.name == roles.POLICY_SIGN_OFF
    client.logout()
    workflow_action(client, moderator, page, "approve")
    page.refresh_from_db()
    assert page.live


def test_comms_editor_publishes_ordinary_pages_and_stays_in_the_site(client, comms, about):
    response = as_user(client, comms).post(edit_url(home()), home_form("Published directly"))
    assert response.status_code == 302
    assert home().live and home().headline == "Published directly"
    # Publishing the home page sends the editor to the explorer: at the site, not Root.
    at_home = reverse("wagtailadmin_explore", args=(home().pk,))
    assert client.get(response.url, follow=True).wsgi_request.path == at_home
    # The explorer opens at the site too.
    response = client.get(reverse("wagtailadmin_explore_root"), follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.path == at_home
    page = about
    url = reverse("wagtailadmin_pages:unpublish", args=(page.pk,))
    client.post(url)
    page.refresh_from_db()
    assert not page.live  # and can take an ordinary page down


def test_comms_editors_grants_are_on_the_home_page():
    grants = set(
        GroupPagePermission.objects.filter(group__name=roles.COMMS_EDITORS).values_list(
            "page_id", "permission__codename"
        )
    )
    assert grants == {(home().pk, codename) for codename in roles.COMMS_PAGE_PERMISSIONS}


def test_comms_editor_opens_and_creates_a_promotion(client, comms):
    as_user(client, comms)
    assert client.get(reverse("wagtailsearchpromotions:index")).status_code == 200
    assert client.get(reverse("wagtailsearchpromotions:add")).status_code == 200
    data = {
        "query_string": "workforce",
        "editors_picks-TOTAL_FORMS": "1",
        "editors_picks-INITIAL_FORMS": "0",
        "editors_picks-MIN_NUM_FORMS": "0",
        "editors_picks-MAX_NUM_FORMS": "1000",
        "editors_picks-0-page": str(PublicationIndexPage.objects.get().pk),
        "editors_picks-0-description": "Every report and briefing.",
        "editors_picks-0-ORDER": "0",
    }
    response = client.post(reverse("wagtailsearchpromotions:add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    promotion = SearchPromotion.objects.get(query__query_string="workforce")
    assert promotion.page_id == PublicationIndexPage.objects.get().pk


def test_policy_team_and_moderators_cannot_promote_search_results(client, policy, moderator):
    for user in (policy, moderator):
        response = as_user(client, user).post(
            reverse("wagtailsearchpromotions:add"), {"query_string": "hijack"}
        )
        assert response.status_code in (302, 403)
    assert not SearchPromotion.objects.filter(query__query_string="hijack").exists()


# --- A live publication's files change only through sign-off ------------------------


@pytest.fixture
def live_files(client, media_root, policy):
    """A live publication whose PDF and cover the Policy team member uploaded."""
    document = DocumentFactory(title="Live report", uploaded_by_user=policy)
    image = ImageFactory(title="Live cover", uploaded_by_user=policy)
    page = PublicationPageFactory(document=document, cover_image=image)
    return page, document, image


def download(client, document):
    client.logout()
    response = client.get(document.url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def document_edit(client, user, document, content=b"%PDF-1.4 replaced"):
    return as_user(client, user).post(
        reverse("wagtaildocs:edit", args=(document.pk,)),
        {
            "title": document.title,
            "file": SimpleUploadedFile("replaced.pdf", content, "application/pdf"),
            "collection": document.collection_id,
            "tags": "",
        },
    )


def image_edit(client, user, image):
    new_file = get_test_image_file("replaced.png", colour="red", size=(320, 200))
    return as_user(client, user).post(
        reverse("wagtailimages:edit", args=(image.pk,)),
        {
            "title": image.title,
            "file": SimpleUploadedFile("replaced.png", new_file.file.getvalue(), "image/png"),
            "collection": image.collection_id,
            "tags": "",
            "alt_text": "",
        },
    )


@pytest.mark.parametrize("role", [roles.POLICY_TEAM, roles.COMMS_EDITORS])
def test_the_pdf_of_a_live_publication_cannot_be_replaced(client, live_files, make_user, role):
    _, document, _ = live_files
    user = {roles.POLICY_TEAM: document.uploaded_by_user}.get(role) or make_user(role)
    before_name = document.file.name
    response = document_edit(client, user, document)
    assert response.status_code == 200  # the form again, with the reason
    assert "Upload the new file as a new document" in response.content.decode()
    document.refresh_from_db()
    assert document.file.name == before_name
    assert download(client, document) == PDF_BYTES


@pytest.mark.parametrize("role", [roles.POLICY_TEAM, roles.COMMS_EDITORS])
def test_the_cover_of_a_live_publication_cannot_be_replaced(client, live_files, make_user, role):
    _, _, image = live_files
    user = {roles.POLICY_TEAM: image.uploaded_by_user}.get(role) or make_user(role)
    before = (image.file.name, image.width)
    response = image_edit(client, user, image)
    assert response.status_code == 200
    assert "choose it in the publication" in response.content.decode()
    image.refresh_from_db()
    assert (image.file.name, image.width) == before


def test_the_pdf_of_an_approved_scheduled_launch_cannot_be_replaced(client, media_root, comms):
    document = get_document_model()(title="Next month's report")
    document.file.save("next-report.pdf", ContentFile(PDF_BYTES), save=False)
    document.save()
    page = PublicationPageFactory(title="Next month's report")
    page.document = document
    page.go_live_at = timezone.now() + datetime.timedelta(days=30)
    page.save_revision().publish()  # approved: scheduled, not live yet
    assert page.scheduled_revision is not None
    response = document_edit(client, comms, document)
    assert response.status_code == 200
    assert "signed off for" in response.content.decode()
    document.refresh_from_db()
    assert document.file.read() == PDF_BYTES


def test_live_files_cannot_be_deleted(client, live_files, comms, policy):
    page, document, image = live_files
    for user in (comms, policy):
        as_user(client, user)
        client.post(reverse("wagtaildocs:delete", args=(document.pk,)))
        client.post(reverse("wagtailimages:delete", args=(image.pk,)))
        url = reverse("wagtail_bulk_action", args=("wagtaildocs", "document", "delete"))
        client.post(f"{url}?id={document.pk}")
    assert get_document_model().objects.filter(pk=document.pk).exists()
    assert get_image_model().objects.filter(pk=image.pk).exists()
    page.refresh_from_db()
    assert page.document_id == document.pk and page.cover_image_id == image.pk
    assert download(client, document) == PDF_BYTES


def test_files_no_live_publication_uses_still_change(client, live_files, comms, admin_user):
    page, document, _ = live_files
    # A superuser may still replace a live file.
    response = document_edit(client, admin_user, document, b"%PDF-1.4 corrected")
    assert response.status_code == 302
    document.refresh_from_db()
    assert download(client, document) == b"%PDF-1.4 corrected"
    # Once no live publication uses it, anyone with the right may.
    page.unpublish()
    response = document_edit(client, comms, document, b"%PDF-1.4 second")
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.file.read() == b"%PDF-1.4 second"


# --- Wagtail's stock "Editors" group ------------------------------------------------


def test_wagtails_stock_editors_group_is_gone():
    assert not Group.objects.filter(name=roles.STOCK_EDITORS).exists()
    root = Page.get_first_root_node()
    assert not GroupPagePermission.objects.filter(page=root).exists()


def migration_0004():
    return __import__("pages.migrations.0004_narrow_roles", fromlist=["forwards"])


def historical_apps():
    return (
        MigrationExecutor(connection)
        .loader.project_state(("pages", "0004_narrow_roles"), at_end=True)
        .apps
    )


def root_grants(name):
    return set(
        GroupPagePermission.objects.filter(group__name=name, page__depth=1).values_list(
            "permission__codename", flat=True
        )
    )


def test_migration_0004_reverses_and_reapplies():
    migration, apps = migration_0004(), historical_apps()
    migration.backwards(apps, None)
    assert root_grants(roles.STOCK_EDITORS) == {"add_page", "change_page"}
    assert root_grants(roles.MODERATORS) == {"publish_page"}
    assert root_grants(roles.COMMS_EDITORS) == set(roles.COMMS_PAGE_PERMISSIONS)
    assert Group.objects.get(name=roles.STOCK_EDITORS).collection_permissions.count() == 8
    comms_codenames = Group.objects.get(name=roles.COMMS_EDITORS).permissions.values_list(
        "codename", flat=True
    )
    assert "add_searchpromotion" not in comms_codenames
    migration.forwards(apps, None)
    test_wagtails_stock_editors_group_is_gone()
    test_moderators_hold_no_page_permission()
    test_comms_editors_grants_are_on_the_home_page()
    assert "add_searchpromotion" in Group.objects.get(
        name=roles.COMMS_EDITORS
    ).permissions.values_list("codename", flat=True)
    migration.forwards(apps, None)  # idempotent
    test_comms_editors_grants_are_on_the_home_page()


def test_stock_editors_with_members_are_kept_but_powerless():
    migration, apps = migration_0004(), historical_apps()
    migration.backwards(apps, None)
    user = get_user_model().objects.create_user("old-editor", "old@example.org", "x-long-pw-1")
    user.groups.add(Group.objects.get(name=roles.STOCK_EDITORS))
    migration.forwards(apps, None)
    editors = Group.objects.get(name=roles.STOCK_EDITORS)
    assert list(editors.user_set.all()) == [user]
    assert not editors.permissions.exists()
    assert not editors.page_permissions.exists()
    assert not editors.collection_permissions.exists()
    assert not user.has_perm("wagtailadmin.access_admin")
