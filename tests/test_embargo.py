"""An embargo holds by every route: the attacks on it, as the admin's users make them.

Every change is an HTTP POST to the admin as the least-trusted role that can try it;
every download is an anonymous GET of /documents/<id>/<file>. The rule itself, case by
case, is tests/test_document_holdback.py.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from pages.models import ContentPage
from policy.models import DocumentLinkRelease, PublicationPage
from tests.conftest import PDF_BYTES
from tests.test_roles import as_user, submit_publication, workflow_action

pytestmark = pytest.mark.django_db


def anonymous_status(document) -> int:
    return Client().get(document.url).status_code


def upload_pdf(client, user, title="Embargoed report") -> object:
    response = as_user(client, user).post(
        reverse("wagtaildocs:add"),
        {
            "title": title,
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile(f"{title.lower().replace(' ', '-')}.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return get_document_model().objects.get(title=title)


def mark_public_on_its_own(client, user, document, public=True):
    data = {"title": document.title, "collection": document.collection_id, "tags": ""}
    if public:
        data["public_on_its_own"] = "on"
    return as_user(client, user).post(reverse("wagtaildocs:edit", args=(document.pk,)), data)


def publish_link(client, user, document):
    """An ordinary page published with a document link to ``document`` in its body."""
    page = ContentPage.objects.live().first()
    html = f'<p>Read <a linktype="document" id="{document.pk}">the report</a>.</p>'
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "introduction": page.introduction,
            "body": streamfield([("paragraph", rich_text(html))]),
        }
    )
    data["action-publish"] = "1"
    response = as_user(client, user).post(reverse("wagtailadmin_pages:edit", args=(page.pk,)), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page.refresh_from_db()
    assert page.live and str(document.pk) in str(page.body.raw_data)
    return page, [str(m) for m in get_messages(response.wsgi_request)]


def a_submitted_publication(client, policy, document, slug="embargoed-report"):
    """A publication the Policy team submitted for sign-off with ``document`` as its PDF."""
    page = submit_publication(client, policy, slug=slug, title="Embargoed", document=document.pk)
    assert not page.live and page.document_id == document.pk
    return page


class TestLinkingDoesNotRelease:
    def test_a_comms_editor_cannot_release_an_embargoed_report_by_linking_it(
        self, client, media_root, policy, comms, moderator
    ):
        report = upload_pdf(client, policy)
        publication = a_submitted_publication(client, policy, report)
        assert anonymous_status(report) == 404

        _, told = publish_link(client, comms, report)
        assert anonymous_status(report) == 404  # the link waits for the launch
        assert any("“Embargoed report” is embargoed until" in m for m in told), told
        assert any("the link works from the launch" in m for m in told), told

        workflow_action(client, moderator, publication, "approve")
        assert PublicationPage.objects.get(pk=publication.pk).live
        assert anonymous_status(report) == 200  # launched: public, and the link works

    def test_the_editor_is_told_the_scheduled_launch(self, client, media_root, policy, comms):
        """A new edition signed off for a launch at a set time: the editor sees the time."""
        report = upload_pdf(client, policy)
        publication = PublicationPage.objects.live().order_by("pk").first()
        publication.document = report
        publication.go_live_at = datetime.datetime(2031, 6, 3, 8, 0, tzinfo=datetime.UTC)
        publication.save_revision().publish()  # approved and scheduled
        _, told = publish_link(client, comms, report)
        assert anonymous_status(report) == 404
        assert any("launching 3 June 2031, 09:00" in m for m in told), told  # London time

    def test_a_link_published_before_the_claim_keeps_working(
        self, client, media_root, policy, comms
    ):
        """First come: a file a live page shared is not withdrawn by a later draft."""
        annex = upload_pdf(client, comms, "Annex")
        publish_link(client, comms, annex)
        assert anonymous_status(annex) == 200
        a_submitted_publication(client, policy, annex)
        assert anonymous_status(annex) == 200

    def test_unpublishing_the_linking_page_withdraws_its_release(
        self, client, media_root, policy, comms
    ):
        annex = upload_pdf(client, comms, "Annex")
        page, _ = publish_link(client, comms, annex)
        page.unpublish()
        assert anonymous_status(annex) == 404  # nothing live offers it
        a_submitted_publication(client, policy, annex)
        page.save_revision().publish()  # back, but the file is claimed now
        assert anonymous_status(annex) == 404


class TestUploadingIsNotPublishing:
    def test_a_fresh_upload_is_not_public(self, client, media_root, comms):
        document = upload_pdf(client, comms, "Draft minutes")
        assert anonymous_status(document) == 404
        as_user(client, comms)
        assert client.get(document.url).status_code == 200  # staff may check it

    def test_public_on_its_own_for_sharing_by_link(self, client, media_root, comms):
        document = upload_pdf(client, comms, "Board papers")
        response = mark_public_on_its_own(client, comms, document)
        assert response.status_code == 302
        assert anonymous_status(document) == 200
        mark_public_on_its_own(client, comms, document, public=False)
        assert anonymous_status(document) == 404

    def test_a_new_draft_cannot_withdraw_a_shared_file(self, client, media_root, comms, policy):
        document = upload_pdf(client, comms, "Board papers")
        mark_public_on_its_own(client, comms, document)
        a_submitted_publication(client, policy, document)
        assert anonymous_status(document) == 200

    @pytest.mark.parametrize("who", ["uploader", "comms"])
    def test_a_claimed_file_cannot_be_marked_public_before_launch(
        self, client, media_root, policy, comms, who
    ):
        report = upload_pdf(client, policy)
        a_submitted_publication(client, policy, report)
        user = policy if who == "uploader" else comms
        response = mark_public_on_its_own(client, user, report)
        assert response.status_code == 200  # the form again, with the reason
        assert "cannot be made public on its own before" in response.content.decode()
        assert anonymous_status(report) == 404

    def test_the_mark_is_in_the_document_form(self, client, media_root, comms):
        document = upload_pdf(client, comms, "Board papers")
        html = as_user(client, comms).get(reverse("wagtaildocs:edit", args=(document.pk,)))
        assert "Public on its own" in html.content.decode()


def focal_point_edit(client, user, image, x=10):
    return as_user(client, user).post(
        reverse("wagtailimages:edit", args=(image.pk,)),
        {
            "title": image.title,
            "collection": image.collection_id,
            "tags": "",
            "focal_point_x": str(x),
            "focal_point_y": "20",
            "focal_point_width": "30",
            "focal_point_height": "40",
        },
    )


@pytest.fixture
def live_cover(media_root, policy):
    image = get_image_model()(
        title="Live cover", uploaded_by_user=policy, file=get_test_image_file()
    )
    image.save()
    page = PublicationPage.objects.live().order_by("pk").first()
    page.cover_image = image
    page.save_revision().publish()
    return image


@pytest.mark.parametrize("role", ["policy", "comms"])
def test_the_focal_point_of_a_live_cover_is_locked(client, live_cover, role, request):
    user = request.getfixturevalue(role)
    response = focal_point_edit(client, user, live_cover)
    assert response.status_code == 200
    assert "signed off for" in response.content.decode()
    live_cover.refresh_from_db()
    assert live_cover.focal_point_x is None


def test_the_focal_point_of_other_images_still_moves(client, media_root, comms, admin_user):
    image = get_image_model()(title="Any picture", file=get_test_image_file())
    image.save()
    assert focal_point_edit(client, comms, image).status_code == 302
    image.refresh_from_db()
    assert image.focal_point_x == 10


def test_a_superuser_may_move_a_live_covers_focal_point(client, live_cover, admin_user):
    assert focal_point_edit(client, admin_user, live_cover, x=12).status_code == 302
    live_cover.refresh_from_db()
    assert live_cover.focal_point_x == 12


def test_a_download_costs_the_same_few_queries_whatever_offers_it(
    client, media_root, django_assert_max_num_queries, comms
):
    """The rule runs on every anonymous download as one query: a served file costs four
    (the document, the rule, its collection and the collection's restrictions), a held
    one the rule and the site's 404 page; neither grows with pages, links or revisions."""
    held = get_document_model().objects.create(title="Held", file=ContentFile(b"x", "held.pdf"))
    linked = get_document_model().objects.create(
        title="Linked", file=ContentFile(PDF_BYTES, "linked.pdf")
    )
    publish_link(client, comms, linked)
    client.logout()
    client.get(linked.url)  # content types cached, as in a running server
    with django_assert_max_num_queries(4):
        assert client.get(linked.url).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(held.url).status_code == 404


def test_links_published_before_the_upgrade_count_as_releases(client, media_root, comms, policy):
    """The data migration records the links live pages already had, unless claimed."""
    migration = importlib.import_module("policy.migrations.0007_embargo_existing_link_releases")
    shared = upload_pdf(client, comms, "Shared annex")
    claimed = upload_pdf(client, policy, "Claimed report")
    a_submitted_publication(client, policy, claimed)
    page = ContentPage.objects.live().first()
    html = "".join(
        f'<p><a linktype="document" id="{d.pk}">{d.title}</a></p>' for d in (shared, claimed)
    )
    page.body = [("paragraph", RichText(html))]
    page.save_revision().publish()
    DocumentLinkRelease.objects.all().delete()  # as before the upgrade

    migration.record_existing_releases(django_apps, None)
    assert set(DocumentLinkRelease.objects.values_list("document_id", flat=True)) == {shared.pk}
    a_submitted_publication(client, policy, shared, slug="later-report")
    assert anonymous_status(shared) == 200
    assert anonymous_status(claimed) == 404
