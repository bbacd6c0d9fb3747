"""Malformed admin POSTs and odd uploads fail softly: a 4xx or the form with an error.

Each request is what a browser (or someone replaying one with a field left out) would
send, posted as the least-trusted role that may try it. The test client is told not to
re-raise a view's exception, so a crash shows as the 500 a visitor would get.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file_jpeg
from wagtail.models import Collection, Site
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from pages.models import ContentPage, SiteFooter
from policy.models import DocumentSharing

pytestmark = pytest.mark.django_db


@pytest.fixture
def comms_client(client, comms):
    client.force_login(comms)
    client.raise_request_exception = False
    return client


def page_form(page, **changes):
    fields = {
        "title": page.title,
        "slug": page.slug,
        "introduction": getattr(page, "introduction", ""),
        "body": streamfield([("paragraph", rich_text("<p>Changed.</p>"))]),
    }
    fields.update(changes)
    data = nested_form_data(fields)
    data["action-publish"] = "1"
    return data


@pytest.mark.parametrize("missing", ["body-count", "body-0-type"])
def test_page_edit_without_streamfield_management_fields(comms_client, missing):
    page = ContentPage.objects.live().first()
    data = page_form(page)
    assert missing in data
    del data[missing]
    response = comms_client.post(reverse("wagtailadmin_pages:edit", args=(page.pk,)), data)
    assert 400 <= response.status_code < 500 or (
        response.status_code == 200 and "could not be saved" in response.content.decode()
    ), response.status_code
    page.refresh_from_db()
    assert "Changed." not in str(page.body)  # nothing half-saved


@pytest.mark.parametrize("count", ["lots", "-1", "99999999999999999999", "1e3", "\x00"])
def test_page_edit_with_a_nonsense_count(comms_client, count):
    page = ContentPage.objects.live().first()
    data = page_form(page)
    data["body-count"] = count
    response = comms_client.post(reverse("wagtailadmin_pages:edit", args=(page.pk,)), data)
    assert response.status_code != 500
    assert response.status_code < 500


def footer_url():
    site = Site.objects.get(is_default_site=True)
    return reverse("wagtailsettings:edit", args=("pages", "sitefooter", site.pk))


def test_footer_post_without_social_links_count(comms_client):
    footer = SiteFooter.for_site(Site.objects.get(is_default_site=True))
    data = nested_form_data(
        {
            "organisation_name": "Changed name",
            "address": footer.address,
            "charity_number": footer.charity_number,
            "company_number": footer.company_number,
            "email": footer.email,
            "social_links": streamfield(
                [("link", {"network": "x", "url": "https://example.org/thet"})]
            ),
        }
    )
    del data["social_links-count"]
    response = comms_client.post(footer_url(), data)
    assert response.status_code != 500
    assert response.status_code < 500
    footer.refresh_from_db()
    assert footer.organisation_name != "Changed name"


def truncated_jpeg() -> bytes:
    whole = get_test_image_file_jpeg(size=(640, 480)).file.getvalue()
    return whole[: len(whole) // 2]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(truncated_jpeg, id="truncated"),
        pytest.param(lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 64, id="header only"),
        pytest.param(lambda: b"", id="empty"),
    ],
)
def test_a_broken_jpeg_upload_is_refused_with_a_message(comms_client, media_root, content):
    response = comms_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Broken",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile("broken.jpg", content(), content_type="image/jpeg"),
        },
    )
    assert response.status_code == 200, response.status_code  # the form again
    assert "damaged or incomplete" in response.content.decode() or not content()
    assert not get_image_model().objects.filter(title="Broken").exists()


def test_a_broken_jpeg_in_the_multiple_uploader(comms_client, media_root):
    response = comms_client.post(
        reverse("wagtailimages:add_multiple"),
        {
            "collection": Collection.get_first_root_node().pk,
            "files[]": SimpleUploadedFile("broken.jpg", truncated_jpeg()),
        },
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 200, response.status_code
    assert response.json()["success"] is False
    assert "damaged or incomplete" in response.json()["error_message"]
    assert not get_image_model().objects.filter(file__contains="broken").exists()


def test_document_downloads_send_valid_headers_only(client, publication_pdf):
    DocumentSharing.objects.create(document=publication_pdf, public_on_its_own=True)
    response = client.get(publication_pdf.url)
    assert response.status_code == 200
    for name, value in response.items():
        assert value not in ("None", ""), f"{name}: {value!r}"
    assert "Content-Encoding" not in response
