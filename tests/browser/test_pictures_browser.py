"""Pictures, end to end against the production-mode site: a comms editor adds a project
with a country picked by typing, a new overseas partner created in place and a picture
with alt text; the listing's card and the project's page then show the picture (loaded
from the site's own media serving) and the new partner. And the weight budget: the
project listing with twenty pictured cards, first view on a 360 px phone, ≤ 300 KB."""

import io
import random
import re
import uuid

import pytest
from PIL import Image, ImageFilter
from playwright.sync_api import expect

from tests.browser.test_editorial_flows import choose_footer_action, log_in, make_user, site_shell

pytestmark = pytest.mark.browser

LISTING_BUDGET_BYTES = 300 * 1024


def photo_bytes(seed: int, size=(1600, 1000)) -> bytes:
    """A photo-like JPEG: smooth colour fields with fine grain (a flat colour would
    compress to nothing and flatter the budget)."""
    rnd = random.Random(seed)  # noqa: S311 - test pictures, not secrets
    small = Image.new("RGB", (16, 10))
    small.putdata([tuple(rnd.randrange(256) for _ in range(3)) for _ in range(160)])
    image = small.resize(size, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(size, 40).convert("RGB")
    image = Image.blend(image, grain, 0.15).filter(ImageFilter.GaussianBlur(1))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def test_comms_editor_adds_a_project_with_a_new_partner_and_a_picture(
    live_site, site_server, new_page, tmp_path
):
    make_user(live_site, "carol", "Comms editors")
    index_id = site_shell(
        live_site,
        "from partnerships.models import ProjectIndexPage\n"
        "print(ProjectIndexPage.objects.get().pk)",
    )
    suffix = uuid.uuid4().hex[:6]
    title = f"Midwifery mentoring {suffix}"
    partner = f"Mbarara Midwifery School {suffix}"
    alt = "Two midwives practising newborn resuscitation on a manikin"
    picture = tmp_path / f"midwives-{suffix}.jpg"
    picture.write_bytes(photo_bytes(1))

    editor = new_page()
    log_in(editor, site_server, "carol")
    editor.goto(f"{site_server}/admin/pages/add/partnerships/projectpage/{index_id}/")
    editor.get_by_role("textbox", name="Title").first.fill(title)
    editor.get_by_role("textbox", name="Summary").fill(
        "Midwives in Tanzania mentor new graduates on newborn care."
    )

    # A country, by typing part of its name and picking the suggestion.
    countries = editor.get_by_role("combobox", name="Countries")
    countries.fill("tanz")
    editor.get_by_role("option", name="Tanzania", exact=True).click()
    expect(editor.locator('input[name="countries"]')).to_have_value(re.compile(r'"pk":\s*\d+'))

    # A new overseas partner, created in place (the picker asks first: say yes).
    editor.once("dialog", lambda dialog: dialog.accept())
    overseas = editor.get_by_role("combobox", name="Overseas partners")
    overseas.fill(partner)
    create = editor.get_by_role("option", name=f"Create new “{partner}”")
    expect(create).to_have_attribute("aria-selected", "true")  # the only suggestion
    overseas.press("Enter")  # the widget's own list overlaps the item: choose it by key
    expect(editor.locator('input[name="overseas_partners"]')).to_have_value(
        re.compile(r'"pk":\s*\d+')
    )

    # The picture, uploaded from the Content tab, with its alt text.
    editor.get_by_role("button", name="Choose an image").first.click()
    modal = editor.locator(".modal-dialog")
    modal.get_by_role("tab", name="Upload").click()
    modal.locator('input[type="file"]').first.set_input_files(str(picture))
    modal.get_by_label("Title").fill(f"Midwives {suffix}")
    modal.get_by_role("button", name="Upload").click()
    expect(modal).to_have_count(0)
    expect(editor.locator('input[name="hero_image"]')).not_to_have_value("")
    # The admin's thumbnail of the chosen picture loads too (production mode).
    thumbnail = editor.locator("img[data-chooser-image]").first
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    alt_text = editor.get_by_role("textbox", name="Alt text").first
    alt_text.fill(alt)
    expect(alt_text).to_have_value(alt)

    choose_footer_action(editor, "Publish")
    expect(editor.locator(".messages")).not_to_be_empty()
    errors = editor.locator(".error-message, .w-field__errors, .help-critical")
    errors = [e.strip() for e in errors.all_inner_texts() if e.strip()]
    assert errors == [], errors
    expect(editor.locator(".messages")).to_contain_text("published")

    # A visitor: the listing's card shows the picture and the new partner.
    visitor = new_page(width=1280)
    visitor.goto(f"{site_server}/our-work/projects/?q={suffix}")
    card = visitor.locator("article.project-card", has_text=title)
    expect(card).to_contain_text(partner)
    image = card.locator("img")
    expect(image).to_have_attribute("alt", alt)
    assert int(image.get_attribute("width")) > 0 and int(image.get_attribute("height")) > 0
    assert image.get_attribute("loading") == "lazy"
    assert card.locator('picture source[type="image/avif"]').count() == 1
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0  # the bytes came from /media/
    assert "/media/images/" in image.evaluate("img => img.currentSrc")

    # The project's page: the picture at the top, loaded at once, and the partner.
    card.get_by_role("link", name=title).click()
    expect(visitor.locator("h1")).to_have_text(title)
    expect(visitor.locator(".project-facts")).to_contain_text(partner)
    header_image = visitor.locator("header.page-header img")
    expect(header_image).to_have_attribute("alt", alt)
    assert header_image.get_attribute("fetchpriority") == "high"
    assert header_image.get_attribute("loading") is None
    expect(header_image).to_have_js_property("complete", True)
    assert header_image.evaluate("img => img.naturalWidth") > 0


# Twenty pictured projects: the seeded ones plus enough new ones, each with its own photo,
# renditions made as publishing makes them (pages/pictures.py).
PICTURE_TWENTY = """
import io, random
from django.core.files.images import ImageFile
from PIL import Image as P, ImageFilter
from wagtail.images import get_image_model
from partnerships.models import ProjectIndexPage, ProjectPage

def photo(seed, size=(1600, 1000)):
    rnd = random.Random(seed)  # noqa: S311 - test pictures, not secrets
    small = P.new("RGB", (16, 10))
    small.putdata([tuple(rnd.randrange(256) for _ in range(3)) for _ in range(160)])
    image = small.resize(size, P.Resampling.BICUBIC)
    grain = P.effect_noise(size, 40).convert("RGB")
    image = P.blend(image, grain, 0.15).filter(ImageFilter.GaussianBlur(1))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return ImageFile(buffer, name=f"project-{seed}.jpg")

index = ProjectIndexPage.objects.get()
projects = list(ProjectPage.objects.child_of(index).live())
for n in range(len(projects), 20):
    projects.append(index.add_child(instance=ProjectPage(
        title=f"Pictured project {n:02}", summary="A partnership project with a picture.")))
for n, project in enumerate(projects):
    image = get_image_model().objects.create(title=f"Project photo {n}", file=photo(n))
    project.hero_image = image
    project.hero_image_alt = f"Health workers of project {n} at work"
    project.save_revision().publish()
print(len(projects))
"""


def test_project_listing_with_twenty_pictures_is_within_budget_on_a_phone(
    live_site, site_server, new_page
):
    count = int(site_shell(live_site, PICTURE_TWENTY))
    assert count >= 20

    # A fresh context (empty cache) on a common phone: 360 × 740 CSS pixels at 2× density.
    page = new_page(width=360, height=740, device_scale_factor=2)
    finished, failed = [], []
    page.on("requestfinished", lambda r: finished.append(r))
    page.on("requestfailed", lambda r: failed.append(r))
    page.goto(site_server + "/our-work/projects/", wait_until="load")
    page.wait_for_load_state("networkidle")
    assert not failed, [r.url for r in failed]

    rows, total, pictures = [], 0, 0
    for request in finished:
        sizes = request.sizes()
        transferred = sizes["responseHeadersSize"] + sizes["responseBodySize"]
        total += transferred
        if "/media/images/" in request.url:
            pictures += 1
        rows.append(f"{transferred:>7} B  {request.response().status}  {request.url}")
    report = f"{len(finished)} requests, {total} B ({total / 1024:.1f} KB):\n" + "\n".join(rows)
    print(report)  # shown with -s

    assert page.locator("article.project-card img").count() == 20  # twenty pictured cards
    assert pictures >= 1  # the first cards' pictures are part of the first view
    assert total <= LISTING_BUDGET_BYTES, report
    # The phone got card-sized AVIFs, not the JPEG fallback or the page header's sizes.
    for request in finished:
        if "/media/images/" in request.url:
            assert re.search(r"format-avif\.fill-(320x180|480x270|640x360)", request.url)
