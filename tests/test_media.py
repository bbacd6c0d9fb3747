"""Uploads: images served by the site, documents only ever through /documents/.

* `thet_site/media.py` serves MEDIA_ROOT/images/ and original_images/ in every mode, with
  a year's caching, and nothing else: no documents, however the path is spelt.
* `thet_site/storage.py` keeps documents apart from images: on S3 they are private (no
  public ACL, signed short-lived URLs) while images may be public.
* A real production-mode server (tests/servers.py) serves an uploaded image and its
  rendition, and refuses documents and traversal.
"""

import http.client
import importlib
import io
import textwrap
from urllib.parse import urlsplit

import pytest
from django.core.files.images import ImageFile
from django.core.files.storage import storages
from django.urls import clear_url_caches
from PIL import Image as PILImage
from wagtail.images import get_image_model

import thet_site.urls
from tests.servers import running_site
from thet_site.env import media_storages

ImageModel = get_image_model()
YEAR = "public, max-age=31536000, immutable"


def png_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def new_image(name="clinic.png"):
    return ImageModel.objects.create(title="Clinic", file=ImageFile(io.BytesIO(png_bytes()), name))


def document_paths(document):
    """Every spelling of a document's file under /media/ that must not reach it."""
    name = document.file.name.split("/", 1)[1]
    return [
        f"/media/documents/{name}",
        f"/media//documents/{name}",
        f"/media/./documents/{name}",
        f"/media/%2Fdocuments/{name}",
        f"/media/documents%2F{name}",
        f"/media/images/../documents/{name}",
        f"/media/images/..%2Fdocuments%2F{name}",
        f"/media/original_images/%2E%2E/documents/{name}",
        f"/media/images/%2e%2e%2fdocuments%2f{name}",
        f"/media/images/..\\documents\\{name}",
        f"/media/./images/../documents/{name}",
    ]


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings, media_root):
    """Both modes, with the URLs built as each would build them at start-up."""
    settings.DEBUG = request.param
    importlib.reload(thet_site.urls)
    clear_url_caches()
    yield request.param
    settings.DEBUG = False
    importlib.reload(thet_site.urls)
    clear_url_caches()


@pytest.mark.django_db
class TestMediaView:
    def test_documents_are_never_served_from_media(self, client, debug, publication_pdf):
        for path in document_paths(publication_pdf):
            response = client.get(path)
            assert response.status_code == 404, path
            assert b"%PDF" not in b"".join(getattr(response, "streaming_content", [])), path
            assert b"%PDF" not in (b"" if response.streaming else response.content), path

    def test_original_and_rendition(self, client, debug, media_root):
        image = new_image()
        rendition = image.get_rendition("fill-20x20")
        for url in [image.file.url, rendition.url]:
            assert url.startswith(("/media/original_images/", "/media/images/")), url
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["Content-Type"] == "image/png"
            assert response["Cache-Control"] == YEAR
            assert response["X-Content-Type-Options"] == "nosniff"
            assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    def test_only_image_files_in_the_image_folders(self, client, debug, media_root):
        image = new_image()
        folder = media_root / "original_images"
        (folder / "page.html").write_text("<script>alert(1)</script>")
        (folder / ".hidden.png").write_bytes(png_bytes())
        (media_root / "other").mkdir()
        (media_root / "other" / "x.png").write_bytes(png_bytes())
        name = image.file.name.split("/", 1)[1]
        for path in [
            "/media/original_images/page.html",
            "/media/original_images/.hidden.png",
            "/media/other/x.png",
            "/media/original_images/",
            "/media/images/",
            "/media/",
            f"/media//original_images/{name}",
            f"/media/original_images//{name}",
            f"/media/images/../original_images/{name}",
            "/media/original_images/missing.png",
        ]:
            assert client.get(path).status_code == 404, path


@pytest.mark.django_db
def test_image_file_names_are_never_reused(media_root, django_capture_on_commit_callbacks):
    """So the year-long caching is safe: a replaced image never gets an old URL back."""
    seen = set()
    for _ in range(3):
        image = new_image("logo.png")
        rendition = image.get_rendition("fill-20x20")
        assert image.file.name not in seen and rendition.file.name not in seen
        seen |= {image.file.name, rendition.file.name}
        with django_capture_on_commit_callbacks(execute=True):
            image.delete()  # its files go too, so the names are free again
        assert not (media_root / image.file.name).exists()


@pytest.mark.django_db
def test_long_image_names_still_fit(media_root):
    image = new_image("a-very-long-photograph-name-" * 6 + ".png")
    rendition = image.get_rendition("fill-20x20")
    assert len(image.file.name) <= 100 and len(rendition.file.name) <= 100
    assert (media_root / image.file.name).is_file() and (media_root / rendition.file.name).is_file()


S3_ENV = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "thet-media",
    "AWS_S3_REGION_NAME": "eu-west-2",
    "AWS_S3_CUSTOM_DOMAIN": "media.thet.org",
    "AWS_LOCATION": "media",
}


class TestStorageSettings:
    def test_filesystem(self):
        config = media_storages({})
        assert config["default"]["BACKEND"] == "thet_site.storage.MediaStorage"
        assert config["media"]["BACKEND"] == "thet_site.storage.MediaFileSystemStorage"
        assert config["documents"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"

    def test_s3_documents_are_private_and_images_public(self):
        config = media_storages(S3_ENV)
        documents, images = config["documents"]["OPTIONS"], config["media"]["OPTIONS"]
        assert config["documents"]["BACKEND"] == "storages.backends.s3.S3Storage"
        assert documents["querystring_auth"] is True
        assert documents["default_acl"] == "private"
        assert documents["querystring_expire"] == 60
        assert "custom_domain" not in documents  # a custom domain would be unsigned
        assert documents["bucket_name"] == "thet-media" and documents["location"] == "media"
        assert images["querystring_auth"] is False
        assert images["default_acl"] is None
        assert images["custom_domain"] == "media.thet.org"

    def test_s3_documents_bucket_of_their_own(self):
        config = media_storages(
            {
                **S3_ENV,
                "AWS_DOCUMENTS_BUCKET_NAME": "thet-documents",
                "AWS_DOCUMENTS_LOCATION": "private",
                "AWS_DOCUMENTS_DEFAULT_ACL": "",
                "AWS_DOCUMENTS_URL_SECONDS": "30",
            }
        )
        documents = config["documents"]["OPTIONS"]
        assert documents["bucket_name"] == "thet-documents"
        assert documents["location"] == "private"
        assert documents["default_acl"] is None  # a bucket with ACLs disabled
        assert documents["querystring_expire"] == 30
        assert config["media"]["OPTIONS"]["bucket_name"] == "thet-media"

    def test_documents_are_served_by_the_view(self, settings):
        assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"


@pytest.mark.django_db
def test_s3_storages_sign_documents_only(settings, monkeypatch, publication_pdf):
    """The real storages built from those settings (URLs are signed locally, no network)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret-not-real")
    settings.STORAGES = {**settings.STORAGES, **media_storages(S3_ENV)}

    document_url = publication_pdf.file.url
    assert urlsplit(document_url).netloc == "thet-media.s3.amazonaws.com"
    assert urlsplit(document_url).path == "/media/" + publication_pdf.file.name
    assert "X-Amz-Signature=" in document_url and "X-Amz-Expires=60" in document_url
    assert publication_pdf.url == f"/documents/{publication_pdf.pk}/full-report.pdf"
    assert storages["documents"].default_acl == "private"  # sent with every upload

    image_url = storages["default"].url("original_images/clinic_abc1234.png")
    assert image_url == "https://media.thet.org/media/original_images/clinic_abc1234.png"
    assert storages["media"].default_acl is None  # the bucket policy decides


def http_get(base, path):
    """A raw GET: the path goes out exactly as written, no client-side normalising."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


CREATE = textwrap.dedent(
    """
    import io
    from django.core.files.base import ContentFile
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    image = get_image_model().objects.create(title="Clinic", file=ImageFile(buffer, "clinic.png"))
    rendition = image.get_rendition("fill-20x20")
    document = get_document_model()(title="Embargoed")
    document.file.save("embargoed.pdf", ContentFile(b"%PDF-1.4 secret"))
    print(image.file.url, rendition.url, document.file.name, sep="\\n")
    """
)


@pytest.mark.server
def test_production_server_serves_images_not_documents():
    with running_site(workers=1) as site:
        output = site.manage("shell", "-c", CREATE).stdout.strip().splitlines()
        original, rendition, document = output[-3:]
        for url in [original, rendition]:
            status, headers, body = http_get(site.url, url)
            assert status == 200, (url, site.log_tail())
            assert headers["Content-Type"] == "image/png"
            assert headers["Cache-Control"] == YEAR
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert body.startswith(b"\x89PNG")
        name = document.split("/", 1)[1]
        for path in [
            f"/media/documents/{name}",
            f"/media//documents/{name}",
            f"/media/./documents/{name}",
            f"/media/%2Fdocuments/{name}",
            f"/media/images/../documents/{name}",
            f"/media/images/..%2Fdocuments%2F{name}",
            "/media/images/%2e%2e/%2e%2e/thet_site/settings.py",
            "/media/original_images/",
        ]:
            status, _, body = http_get(site.url, path)
            assert status == 404, path
            assert b"secret" not in body, path
