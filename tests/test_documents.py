"""Documents: only the policy team's formats upload, and downloads say what they are."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches
from wagtail.documents import get_document_model
from wagtail.models import Collection

import thet_site.urls
from policy.models import DocumentSharing
from tests.conftest import PDF_BYTES

Document = get_document_model()

ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "csv": "text/csv",
}
REFUSED = ["exe", "html", "svg", "js", "zip", "doc", "txt"]


def upload(client, name, content=b"data"):
    return client.post(
        "/admin/documents/add/",
        {
            "title": name,
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile(name, content),
        },
    )


def upload_multiple(client, name, content=b"data"):
    """The admin's usual 'Add a document' page uploads each file like this."""
    return client.post(
        "/admin/documents/multiple/add/",
        {
            "collection": Collection.get_first_root_node().pk,
            "files[]": SimpleUploadedFile(name, content),
        },
        headers={"x-requested-with": "XMLHttpRequest"},
    )


@pytest.mark.django_db
class TestUploads:
    @pytest.mark.parametrize("extension", REFUSED)
    def test_other_formats_refused_with_a_clear_message(self, admin_client, media_root, extension):
        response = upload(admin_client, f"file.{extension}")
        assert response.status_code == 200  # the form again, with the error
        assert (
            f"File extension “{extension}” is not allowed. "
            "Allowed extensions are: pdf, docx, xlsx, pptx, csv."
        ) in response.content.decode()
        assert not Document.objects.filter(title=f"file.{extension}").exists()

    @pytest.mark.parametrize("extension", REFUSED[:2])
    def test_multiple_upload_refuses_too(self, admin_client, media_root, extension):
        response = upload_multiple(admin_client, f"file.{extension}")
        assert response.json() == {
            "success": False,
            "error_message": f"File extension “{extension}” is not allowed. "
            "Allowed extensions are: pdf, docx, xlsx, pptx, csv.",
        }
        assert not Document.objects.exists()

    @pytest.mark.parametrize("extension", ALLOWED)
    def test_team_formats_upload(self, admin_client, media_root, extension):
        response = upload(admin_client, f"Annex.{extension.upper()}", PDF_BYTES)
        assert response.status_code == 302
        assert Document.objects.get(title=f"Annex.{extension.upper()}").file_size == len(PDF_BYTES)


@pytest.mark.django_db
class TestDownloads:
    @pytest.mark.parametrize(("extension", "content_type"), ALLOWED.items())
    def test_content_type_and_filename(self, client, media_root, extension, content_type):
        document = Document(title="Annex")
        document.file.save(f"annex-2024.{extension}", SimpleUploadedFile("x", b"bytes"))
        DocumentSharing.objects.create(document=document, public_on_its_own=True)
        assert document.url == f"/documents/{document.pk}/annex-2024.{extension}"
        response = client.get(document.url)
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="annex-2024.{extension}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == b"bytes"

    def test_wrong_filename_is_404(self, client, publication_pdf):
        assert client.get(f"/documents/{publication_pdf.pk}/other.pdf").status_code == 404
        assert client.get("/documents/999999/full-report.pdf").status_code == 404

    def test_files_are_not_served_from_media(self, client, publication_pdf):
        """Only the serve view (with its launch check) hands out documents."""
        assert publication_pdf.file.url.startswith("/media/documents/")
        assert client.get(publication_pdf.file.url).status_code == 404


@pytest.mark.django_db
def test_development_media_server_refuses_documents(settings, client, publication_pdf):
    """With DEBUG on, /media/ serves images, never documents (tests/test_media.py)."""
    (settings.MEDIA_ROOT / "images").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "images" / "photo.png").write_bytes(b"\x89PNG not a document")
    settings.DEBUG = True
    importlib.reload(thet_site.urls)
    clear_url_caches()
    try:
        assert client.get("/media/images/photo.png").status_code == 200
        assert client.get(publication_pdf.file.url).status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(thet_site.urls)
        clear_url_caches()
