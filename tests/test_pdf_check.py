"""Uploaded PDFs are checked for accessibility (policy/pdfcheck.py), within bounds.

Every PDF here is made by the test with pikepdf (or, for the hostile ones, written out
as bytes), so nothing binary is committed.
"""

import io
import time

import pikepdf
import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.utils.file import hash_filelike

from policy.models import DocumentCheck, PublicationPage
from policy.pdfcheck import check_document, inspect_file
from tests.test_roles import as_user

pytestmark = pytest.mark.django_db

FONT = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica"}


def text_page(pdf, words="Health partnerships"):
    page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842]))
    pdf.pages.append(page)
    page = pdf.pages[-1]
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(FONT)))
    page.obj.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({words}) Tj ET".encode())
    return page


def image_page(pdf):
    page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842]))
    pdf.pages.append(page)
    page = pdf.pages[-1]
    image = pdf.make_stream(
        b"\x80" * 16,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=4,
        Height=4,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=8,
    )
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.obj.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    return page


def make_pdf(*, tagged=True, title="Workforce report", language="en-GB", pages=("text",)):
    pdf = pikepdf.new()
    for kind in pages:
        (text_page if kind == "text" else image_page)(pdf)
    if tagged:
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        pdf.Root.StructTreeRoot = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot)
        )
    if language:
        pdf.Root.Lang = pikepdf.String(language)
    if title:
        pdf.docinfo["/Title"] = title
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def huge_page_count_pdf(pages=300_000) -> bytes:
    """Many real page objects and a cross-reference table that points nowhere, so the
    reader must rebuild it by scanning the whole file."""
    parts = [b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"]
    kids = " ".join(f"{n} 0 R" for n in range(3, pages + 3)).encode()
    parts.append(b"2 0 obj<</Type/Pages/Count %d/Kids[" % pages + kids + b"]>>endobj\n")
    for n in range(3, pages + 3):
        parts.append(b"%d 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj\n" % n)
    parts.append(b"xref\n0 1\n0000000000 65535 f \ntrailer<</Size 9/Root 1 0 R>>\n")
    parts.append(b"startxref\n999999999\n%%EOF\n")
    return b"".join(parts)


def lying_page_count_pdf() -> bytes:
    """A page tree claiming a billion pages, with a broken cross-reference table."""
    return (
        b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Count 1000000000/Kids[2 0 R 2 0 R]>>endobj\n"
        b"xref\n0 3\nnot a table\ntrailer<</Size 3/Root 1 0 R>>\nstartxref\n12\n%%EOF\n"
    )


def set_file_metadata(document, data: bytes) -> None:
    """The size and hash Wagtail's upload views record for a new file, through public
    names (``hash_filelike`` is what Wagtail hashes with)."""
    document.file_size = len(data)
    document.file_hash = hash_filelike(io.BytesIO(data))


def upload(data: bytes, name="report.pdf", title="Report"):
    document = get_document_model()(title=title)
    document.file.save(name, ContentFile(data), save=False)
    set_file_metadata(document, data)
    document.save()
    return DocumentCheck.objects.get(document=document)


def test_a_tagged_titled_pdf_in_a_language_passes(media_root):
    check = upload(make_pdf(pages=("text", "text", "text")))
    assert check.problems == []
    assert check.page_count == 3
    assert check.title == "Workforce report" and check.language == "en-GB"


def test_an_untagged_pdf_is_reported(media_root):
    assert upload(make_pdf(tagged=False)).problems == ["untagged"]


def test_a_pdf_without_title_or_language_is_reported(media_root):
    assert upload(make_pdf(title="", language="")).problems == ["no_title", "no_language"]


def test_a_scan_is_reported_as_having_no_text(media_root):
    check = upload(make_pdf(tagged=False, pages=("image", "image")))
    assert "no_text" in check.problems
    assert check.page_count == 2


def test_image_only_pages_are_named(media_root):
    check = upload(make_pdf(pages=("text", "image", "text", "image")))
    assert check.problems == ["image_only_pages"]
    assert check.image_only_pages == [2, 4]


@pytest.mark.parametrize("make", [huge_page_count_pdf, lying_page_count_pdf])
def test_a_hostile_pdf_is_reported_within_two_seconds_and_200_mb(media_root, make):
    check = upload(make(), name="hostile.pdf")
    assert check.problems == ["unchecked"]
    assert check.reason in {"too_many_pages", "timeout", "too_big", "unreadable"}
    # The check alone (copying the stored file out and reading it), timed again.
    started = time.monotonic()
    again = check_document(check.document, force=True)
    elapsed = time.monotonic() - started
    assert again.problems == ["unchecked"]
    assert elapsed < 2.0, elapsed


@pytest.mark.parametrize("make", [huge_page_count_pdf, lying_page_count_pdf])
def test_the_checker_of_a_hostile_pdf_stays_under_200_mb(tmp_path, make):
    path = tmp_path / "hostile.pdf"
    path.write_bytes(make())
    started = time.monotonic()
    result = inspect_file(str(path))
    assert time.monotonic() - started < 2.0
    assert result["error"]
    assert 0 < result["peak_kb"] * 1024 < 200 * 1024 * 1024, result


def test_the_child_cannot_grow_past_its_memory_limit(settings, tmp_path):
    """The limit is real: with 60 MB allowed, the same hostile file is refused for memory
    (or time) rather than read."""
    settings.PDF_CHECK_MEMORY_MB = 60
    path = tmp_path / "hostile.pdf"
    path.write_bytes(huge_page_count_pdf())
    result = inspect_file(str(path))
    assert result["error"] in {"too_big", "timeout", "unreadable", "crashed"}
    # Killed by the limit, it reports nothing; otherwise its own peak is under it.
    assert (result.get("peak_kb") or 0) * 1024 < 60 * 1024 * 1024


def test_garbage_is_reported_not_raised(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"\x00" * 1000)
    assert inspect_file(str(path))["error"] in {"unreadable", "too_big", "crashed"}


def test_other_files_are_not_checked(media_root):
    document = get_document_model()(title="Data")
    document.file.save("data.csv", ContentFile(b"a,b\n1,2\n"), save=False)
    document.save()
    assert check_document(document) is None
    assert not DocumentCheck.objects.filter(document=document).exists()


def test_a_file_is_checked_once_and_again_when_replaced(media_root):
    check = upload(make_pdf(tagged=False))
    document = check.document
    document.title = "Renamed"
    document.save()
    assert DocumentCheck.objects.get(document=document).checked_at == check.checked_at
    data = make_pdf()
    document.file.save("new.pdf", ContentFile(data), save=False)
    set_file_metadata(document, data)
    document.save()
    assert DocumentCheck.objects.get(document=document).problems == []


# --- What the editor and the reader see ------------------------------------------------


def test_the_upload_reports_problems_to_the_editor(client, policy, media_root):
    url = reverse("wagtaildocs:add_multiple")
    upload_file = SimpleUploadedFile("scan.pdf", make_pdf(tagged=False, pages=("image",)))
    response = as_user(client, policy).post(url, {"files[]": upload_file})
    assert response.status_code == 200
    form = response.json()["form"]
    assert "Accessibility check" in form
    assert "is not tagged" in form and "looks like a scan" in form
    assert "Ask the designer to export a tagged PDF" in form
    document = get_document_model().objects.get(pk=response.json()["doc_id"])
    edit = client.get(reverse("wagtaildocs:edit", args=(document.pk,))).content.decode()
    assert "looks like a scan" in edit


def test_the_publication_editor_and_page_warn_and_offer_an_accessible_format(
    client, policy, media_root, settings
):
    settings.ACCESSIBLE_FORMAT_EMAIL = "formats@example.org"
    check = upload(make_pdf(tagged=False, title=""), name="briefing.pdf")
    page = PublicationPage.objects.get(slug="general-election-2024-briefing")
    page.document = check.document
    page.save_revision().publish()
    editor = as_user(client, policy).get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    html = editor.content.decode()
    assert "Accessibility check: this PDF needs work" in html
    assert "has no document title" in html
    client.logout()
    soup = BeautifulSoup(client.get(page.url).content.decode(), "html.parser")
    link = soup.find("a", string="Request an accessible format")
    assert link["href"].startswith("mailto:formats@example.org?subject=")
    download = soup.find(id="download").get_text(" ")
    assert "PDF" in download and "1 page" in download


def test_a_pdf_that_passed_offers_no_request_and_shows_its_pages(client, media_root):
    check = upload(make_pdf(pages=("text",) * 3), name="good.pdf")
    page = PublicationPage.objects.get(slug="general-election-2024-briefing")
    page.document = check.document
    page.save_revision().publish()
    soup = BeautifulSoup(client.get(page.url).content.decode(), "html.parser")
    assert soup.find("a", string="Request an accessible format") is None
    text = " ".join(soup.find(id="download").get_text(" ").split())
    assert "(PDF, " in text and "3 pages)" in text
