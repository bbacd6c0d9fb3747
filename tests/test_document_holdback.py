"""Launch control for documents: only what is live and what is scheduled counts.

A document is public while live content offers it (a live, public publication, or a
live page linking to it) or an editor has made it public on its own; it is held back
while publications that are not live yet (a draft, a scheduled launch, an unpublished
page) claim it, and while nothing live offers it (uploading is not publishing). Drafts
never withdraw a file that was public before they claimed it, and history never holds
one back. tests/test_embargo.py has the same rule attacked through the admin.
"""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction
from wagtail.rich_text import RichText

from pages.models import ContentPage
from policy.holdback import document_is_held_back
from policy.models import DocumentSharing, PublicationIndexPage, PublicationPage, PublicationType
from tests.conftest import PDF_BYTES


def status(client, document):
    return client.get(document.url).status_code


def new_pdf(name):
    document = get_document_model()(title=name)
    document.file.save(f"{name}.pdf", ContentFile(PDF_BYTES), save=False)
    document.file_size = len(PDF_BYTES)
    document.save()
    return document


def live_publications(count):
    pages = list(PublicationPage.objects.live().order_by("pk")[:count])
    assert len(pages) == count
    return pages


def offer(page, document):
    page.document = document
    page.save_revision().publish()
    page.refresh_from_db()


def link_from_a_live_page(document):
    page = ContentPage.objects.live().first()
    link = f'<p>Read <a linktype="document" id="{document.pk}">the report</a>.</p>'
    page.body = [("paragraph", RichText(link))]
    page.save_revision().publish()
    return page


def draft(page, document):
    page = PublicationPage.objects.get(pk=page.pk)
    page.document = document
    page.save_revision()


@pytest.mark.django_db
class TestDraftsNeverWithdrawALiveFile:
    def test_draft_of_another_publication(self, client, publication_pdf):
        a, b = live_publications(2)
        offer(a, publication_pdf)
        assert status(client, publication_pdf) == 200

        draft(b, publication_pdf)  # B's editor points a draft at A's live PDF
        assert status(client, publication_pdf) == 200
        draft(b, None)  # and changes their mind
        assert status(client, publication_pdf) == 200

    def test_file_linked_from_a_live_page(self, client, publication_pdf):
        """A PDF that no publication offers but a live page links to is live too, and a
        publication drafted after the link was published does not withdraw it."""
        link_from_a_live_page(publication_pdf)
        assert status(client, publication_pdf) == 200

        (b,) = live_publications(1)
        draft(b, publication_pdf)
        assert status(client, publication_pdf) == 200
        draft(b, None)
        assert status(client, publication_pdf) == 200

    def test_a_reference_removed_from_a_draft_releases_the_file(self, client, publication_pdf):
        """A file a draft claims waits for it, even when a page links it meanwhile; once
        the draft drops it, the live link offers it."""
        (b,) = live_publications(1)
        assert status(client, publication_pdf) == 404  # uploaded, offered by nothing
        draft(b, publication_pdf)
        link_from_a_live_page(publication_pdf)
        assert status(client, publication_pdf) == 404  # a new edition, not published yet
        draft(b, None)
        assert status(client, publication_pdf) == 200

    def test_a_replaced_edition_is_not_held_back_by_history(self, client, publication_pdf):
        """History claims nothing: the old edition is served while something live offers
        it (here: it is public on its own), whatever older revisions say."""
        (a,) = live_publications(1)
        offer(a, publication_pdf)
        offer(a, new_pdf("second-edition"))
        assert status(client, publication_pdf) == 404  # nothing offers it any more
        DocumentSharing.objects.create(document=publication_pdf, public_on_its_own=True)
        assert status(client, publication_pdf) == 200


@pytest.mark.django_db
class TestScheduledFilesWaitForTheLaunch:
    def test_a_scheduled_publications_own_file(self, client, admin_client, publication_pdf):
        launch = timezone.now() + datetime.timedelta(days=1)
        page = PublicationPage(
            title="Scheduled report",
            slug="scheduled-report",
            publication_type=PublicationType.objects.get(slug="report"),
            publication_date=timezone.localdate(launch),
            summary="Out tomorrow.",
            document=publication_pdf,
            go_live_at=launch,
            live=False,
        )
        PublicationIndexPage.objects.get().add_child(instance=page)
        page.save_revision().publish()
        assert not Page.objects.get(pk=page.pk).live

        assert status(client, publication_pdf) == 404
        assert status(admin_client, publication_pdf) == 200
        call_command("publish_scheduled")  # too early
        assert status(client, publication_pdf) == 404
        with time_machine.travel(launch + datetime.timedelta(minutes=1)):
            call_command("publish_scheduled")
        assert status(client, publication_pdf) == 200

    def test_a_new_edition_scheduled_on_a_live_publication(
        self, client, admin_client, publication_pdf
    ):
        (a,) = live_publications(1)
        offer(a, publication_pdf)
        second = new_pdf("second-edition")
        launch = timezone.now() + datetime.timedelta(days=1)
        a.document = second
        a.go_live_at = launch
        a.save_revision().publish()  # scheduled: the live page still offers the first
        assert PublicationPage.objects.get(pk=a.pk).document == publication_pdf

        assert status(client, second) == 404
        assert status(admin_client, second) == 200
        assert status(client, publication_pdf) == 200
        with time_machine.travel(launch + datetime.timedelta(minutes=1)):
            call_command("publish_scheduled")
        assert status(client, second) == 200


@pytest.mark.django_db
class TestWithdrawal:
    def test_unpublishing_the_only_live_publication_offering_it(self, client, publication_pdf):
        a, b = live_publications(2)
        offer(a, publication_pdf)
        offer(b, publication_pdf)
        PublicationPage.objects.get(pk=a.pk).unpublish()
        assert status(client, publication_pdf) == 200  # B still offers it
        PublicationPage.objects.get(pk=b.pk).unpublish()
        assert status(client, publication_pdf) == 404

    def test_a_private_publication_does_not_offer_it(self, client, publication_pdf):
        (a,) = live_publications(1)
        offer(a, publication_pdf)
        PageViewRestriction.objects.create(
            page=PublicationIndexPage.objects.get(), restriction_type="login"
        )
        assert status(client, publication_pdf) == 404


@pytest.mark.django_db
def test_the_check_is_cheap(django_assert_num_queries, publication_pdf):
    """One query for every case, whatever the number of pages, links or revisions."""
    a, b = live_publications(2)
    document_is_held_back(publication_pdf)  # content types are cached after this
    with django_assert_num_queries(1):
        assert document_is_held_back(publication_pdf) is True  # attached to nothing
    offer(a, publication_pdf)
    with django_assert_num_queries(1):
        assert document_is_held_back(publication_pdf) is False  # live
    held = new_pdf("next")
    draft(b, held)
    with django_assert_num_queries(1):
        assert document_is_held_back(held) is True
    linked = new_pdf("linked")
    link_from_a_live_page(linked)
    with django_assert_num_queries(1):
        assert document_is_held_back(linked) is False
