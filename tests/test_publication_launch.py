"""Launch control: a scheduled publication is invisible everywhere until it goes live.

Also the policy team's whole flow through the admin: upload a PDF, create a publication
under Publications, schedule it, run `publish_scheduled` after the date, then find it on
the listing, the feed, Policy Work and the home page, and download the PDF.
"""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from defusedxml import ElementTree as ET
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page
from wagtail.test.utils.form_data import nested_form_data, streamfield

from pages import roles
from policy.models import (
    DocumentSharing,
    PolicyWorkFeaturedPublication,
    PolicyWorkPage,
    PublicationIndexPage,
    PublicationPage,
    PublicationType,
    Topic,
)
from tests.conftest import PDF_BYTES

TITLE = "Zanzibar Workforce Horizons"  # a unique word to search for
SLUG = "zanzibar-workforce-horizons"


def body_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def feed_titles(client):
    root = ET.fromstring(client.get("/publications/feed/").content)
    return [item.findtext("title") for item in root.iter("item")]


def feed_enclosures(client):
    root = ET.fromstring(client.get("/publications/feed/").content)
    return [e.get("url") for e in root.iter("enclosure")]


def download(client, document):
    response = client.get(document.url)
    if response.status_code == 200:
        response.body = b"".join(response.streaming_content)
    return response


def visible_places(client, document) -> dict[str, bool]:
    """Where a visitor (whoever `client` is logged in as) finds the publication."""
    return {
        "listing": TITLE in body_text(client, "/publications/"),
        "listing search": TITLE in body_text(client, "/publications/?q=zanzibar"),
        "feed": TITLE in feed_titles(client),
        "feed enclosure": any(url.endswith(document.url) for url in feed_enclosures(client)),
        "home": TITLE in body_text(client, "/"),
        "policy work": TITLE in body_text(client, "/our-work/policy-work/"),
        "site search": TITLE in body_text(client, "/search/?q=zanzibar"),
        "page": client.get(f"/publications/{SLUG}/").status_code == 200,
        "document": download(client, document).status_code == 200,
    }


def in_sitemap(page) -> bool:
    return any(item.pk == page.pk for item in Sitemap().items())


@pytest.fixture
def scheduled(db, publication_pdf):
    """A new publication, published by an editor with a launch date tomorrow.

    It is the newest publication and editors have already featured it on Policy Work,
    so without launch control it would show up everywhere.
    """
    index = PublicationIndexPage.objects.get()
    launch = timezone.now() + datetime.timedelta(days=1)
    page = PublicationPage(
        title=TITLE,
        slug=SLUG,
        publication_type=PublicationType.objects.get(slug="report"),
        publication_date=timezone.localdate(launch),
        summary="How Zanzibar is growing its health workforce.",
        document=publication_pdf,
        go_live_at=launch,
        live=False,
    )
    index.add_child(instance=page)
    page.topics.set([Topic.objects.get(slug="health-workforce")])
    page.save_revision().publish()
    policy = PolicyWorkPage.objects.get()
    PolicyWorkFeaturedPublication.objects.create(page=policy, publication=page, sort_order=-1)
    page.refresh_from_db()
    return page


@pytest.mark.django_db
class TestScheduledPublication:
    def test_is_scheduled_not_live(self, scheduled):
        assert scheduled.live is False
        assert scheduled.revisions.get().approved_go_live_at is not None

    def test_invisible_everywhere_before_launch(self, client, scheduled, publication_pdf):
        places = visible_places(client, publication_pdf)
        assert not any(places.values()), places
        assert not in_sitemap(scheduled)
        # The featured pick is kept for later, not shown now.
        assert PolicyWorkPage.objects.get().featured_publications.count() == 5

    def test_document_refused_with_the_sites_404(self, client, scheduled, publication_pdf):
        response = client.get(publication_pdf.url)
        assert response.status_code == 404
        assert b"%PDF" not in response.content
        assert "we can’t find that page" in response.content.decode()

    def test_editors_can_check_the_file_before_launch(
        self, admin_client, scheduled, publication_pdf
    ):
        response = download(admin_client, publication_pdf)
        assert response.status_code == 200
        assert response.body == PDF_BYTES

    def test_visible_everywhere_after_publish_scheduled(self, client, scheduled, publication_pdf):
        with time_machine.travel(scheduled.go_live_at + datetime.timedelta(minutes=1)):
            call_command("publish_scheduled")
        scheduled.refresh_from_db()
        assert scheduled.live is True
        places = visible_places(client, publication_pdf)
        assert all(places.values()), places
        assert in_sitemap(scheduled)

    def test_publish_scheduled_before_the_date_changes_nothing(
        self, client, scheduled, publication_pdf
    ):
        call_command("publish_scheduled")
        assert not any(visible_places(client, publication_pdf).values())

    def test_unpublishing_withdraws_the_document(self, client, scheduled, publication_pdf):
        with time_machine.travel(scheduled.go_live_at + datetime.timedelta(minutes=1)):
            call_command("publish_scheduled")
        assert client.get(publication_pdf.url).status_code == 200
        PublicationPage.objects.get(pk=scheduled.pk).unpublish()
        assert client.get(publication_pdf.url).status_code == 404


@pytest.mark.django_db
class TestDocumentHoldBack:
    def test_new_edition_in_a_draft_stays_private(self, client, publication_pdf, media_root):
        page = PublicationPage.objects.get(slug="experts-in-our-midst")
        page.document = publication_pdf
        page.save_revision().publish()
        assert client.get(publication_pdf.url).status_code == 200

        second = get_document_model()(title="Second edition")
        second.file.save("second-edition.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))
        page.document = second
        page.save_revision()  # a draft: the live page still offers the first edition
        assert client.get(second.url).status_code == 404
        assert client.get(publication_pdf.url).status_code == 200

        page.get_latest_revision().publish()
        assert client.get(second.url).status_code == 200

    def test_documents_not_attached_to_publications_need_something_live(
        self, client, publication_pdf
    ):
        """Uploading is not publishing: a file no publication uses is public once an
        editor makes it public on its own (or a live page links it)."""
        assert client.get(publication_pdf.url).status_code == 404
        DocumentSharing.objects.create(document=publication_pdf, public_on_its_own=True)
        assert client.get(publication_pdf.url).status_code == 200


def log_in(username, password) -> Client:
    """A browser session logged in through the admin's own login form."""
    client = Client()
    credentials = {"username": username, "password": password}
    response = client.post("/admin/login/", credentials, follow=True)
    assert response.status_code == 200
    assert response.context["user"].username == username
    return client


def upload_pdf(editor):
    response = editor.post(
        "/admin/documents/add/",
        {
            "title": "Zanzibar report (PDF)",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile(
                "zanzibar-report.pdf", PDF_BYTES, content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return get_document_model().objects.get(title="Zanzibar report (PDF)")


def create_scheduled(editor, document, action):
    """Fill in a new publication under Publications, launching tomorrow at 09:00."""
    index = PublicationIndexPage.objects.get()
    add_url = f"/admin/pages/add/policy/publicationpage/{index.pk}/"
    assert editor.get(add_url).status_code == 200
    launch = timezone.localtime() + datetime.timedelta(days=1)
    launch = launch.replace(hour=9, minute=0, second=0, microsecond=0)
    data = nested_form_data(
        {
            "title": TITLE,
            "slug": SLUG,
            "publication_type": PublicationType.objects.get(slug="report").pk,
            "publication_date": launch.date().isoformat(),
            "summary": "How Zanzibar is growing its health workforce.",
            "authors": "Amina Mussa, John Smith",
            "document": document.pk,
            "body": streamfield([]),
            "go_live_at": launch.strftime("%Y-%m-%d %H:%M"),
            action: action,
        }
    )
    data["topics"] = [Topic.objects.get(slug="health-workforce").pk]
    response = editor.post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = PublicationPage.objects.get(slug=SLUG)
    assert page.live is False
    assert page.go_live_at == launch
    assert page.document == document
    return page, launch


def launch_and_check(page, launch, document):
    visitor = Client()
    # Not launched yet: nowhere to be seen, the PDF is not downloadable.
    assert not any(visible_places(visitor, document).values())
    call_command("publish_scheduled")  # too early: nothing changes
    assert not any(visible_places(visitor, document).values())

    # The day after: the scheduler runs.
    with time_machine.travel(launch + datetime.timedelta(minutes=5)):
        call_command("publish_scheduled")
    assert Page.objects.get(pk=page.pk).live

    places = visible_places(visitor, document)
    assert all(places.values()), places

    html = body_text(visitor, f"/publications/{SLUG}/")
    soup = BeautifulSoup(html, "html.parser")
    link = soup.find("a", href=document.url)
    assert "Download the report" in link.get_text(" ", strip=True)
    assert "PDF" in link.get_text()
    response = download(visitor, document)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="zanzibar-report.pdf"'
    assert response.body == PDF_BYTES

    # It leads the home page's and Policy Work's latest publications.
    for url in ["/", "/our-work/policy-work/"]:
        soup = BeautifulSoup(body_text(visitor, url), "html.parser")
        section = soup.find("h2", string="Latest publications").find_parent("section")
        assert section.find("h3").get_text(strip=True) == TITLE, url


@pytest.mark.django_db
def test_admin_flow_upload_schedule_launch_download(media_root):
    """Upload, create, schedule, launch with `publish_scheduled`, find it, download it."""
    password = "a-long-test-password"
    get_user_model().objects.create_superuser("admin6", "admin6@example.org", password)
    editor = log_in("admin6", password)
    document = upload_pdf(editor)
    page, launch = create_scheduled(editor, document, "action-publish")
    assert page.get_latest_revision().approved_go_live_at == launch
    # The editor can preview it, and check the PDF, before launch.
    assert editor.get(f"/admin/pages/{page.pk}/view_draft/").status_code == 200
    assert download(editor, document).status_code == 200
    launch_and_check(page, launch, document)


@pytest.mark.django_db
def test_policy_team_flow_with_sign_off(media_root):
    """The same with the real roles: the Policy team submits, a Moderator approves."""
    password = "a-long-test-password"
    for name, role in [("amina", roles.POLICY_TEAM), ("mod", roles.MODERATORS)]:
        user = get_user_model().objects.create_user(name, f"{name}@example.org", password)
        user.groups.add(Group.objects.get(name=role))
    policy = log_in("amina", password)
    document = upload_pdf(policy)
    page, launch = create_scheduled(policy, document, "action-submit")
    assert page.current_workflow_task_state is not None
    # Submitted, not yet approved: the PDF is still private.
    assert Client().get(document.url).status_code == 404

    moderator = log_in("mod", password)
    task_state = page.current_workflow_task_state
    response = moderator.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)),
        {"comment": "Good to go."},
    )
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live is False  # approved, and waiting for its launch date
    assert page.get_latest_revision().approved_go_live_at == launch
    launch_and_check(page, launch, document)
