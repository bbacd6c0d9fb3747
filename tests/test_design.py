"""The design system's server-side half: responsive images, menu, templates without inline
code. (Colour contrast, focus, layout and the weight budget are checked in tests/browser/.)"""

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.template.loader import render_to_string
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Page

from pages.blocks import FigureBlock
from pages.models import ContentPage
from policy.models import PublicationPage

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def photo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (1800, 1000), (0, 79, 139)).save(buffer, "JPEG")
    return Image.objects.create(
        title="Midwives in training", file=ImageFile(buffer, name="midwives.jpg")
    )


def _img_tags(html):
    return re.findall(r"<img\b[^>]*>", html)


def _attrs(tag):
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))


def test_images_are_responsive_modern_and_sized(seeded, client, photo):
    about = ContentPage.objects.get(url_path="/home/about/")
    about.hero_image = photo
    about.body = [
        {
            "type": "image",
            "value": {
                "image": {"image": photo.pk, "alt_text": "Two midwives with a newborn baby"},
                "caption": "Training in Kathmandu",
                "credit": "",
            },
        },
        *about.body.raw_data,
    ]
    about.save_revision().publish()

    html = client.get("/about/").content.decode()
    assert html.count("<picture") == 2
    assert 'type="image/webp"' in html
    hero, figure = (_attrs(t) for t in _img_tags(html) if "/media/" in t or "images/" in t)
    for img in (hero, figure):
        assert int(img["width"]) > 0 and int(img["height"]) > 0
        assert re.search(r"\s\d+w", img.get("srcset", "")), img  # several widths offered
        assert img.get("sizes")
        assert img["src"].endswith(".jpg")  # the fallback for browsers without WebP
    assert hero["alt"] == ""  # decorative: the h1 says what the page is
    assert "loading" not in hero  # above the fold: never lazy
    assert figure["alt"] == "Two midwives with a newborn baby"
    assert figure["loading"] == "lazy"
    assert "Training in Kathmandu" in html


def test_decorative_images_get_empty_alt(seeded, client, photo):
    about = ContentPage.objects.get(url_path="/home/about/")
    about.body = [{"type": "image", "value": {"image": {"image": photo.pk, "decorative": True}}}]
    about.save_revision().publish()
    html = client.get("/about/").content.decode()
    (figure,) = (_attrs(t) for t in _img_tags(html) if "images/" in t)
    assert figure["alt"] == ""


def test_publication_cover_is_described_and_lazy(seeded, client, photo):
    publication = PublicationPage.objects.live().first()
    publication.cover_image = photo
    publication.save_revision().publish()
    html = client.get(publication.url).content.decode()
    (cover,) = (_attrs(t) for t in _img_tags(html) if "images/" in t)
    assert cover["alt"] == f"Cover of {publication.title}"
    assert cover["loading"] == "lazy"
    assert int(cover["width"]) == 320


def test_phone_menu_is_a_disclosure_that_needs_no_javascript(seeded, get_html):
    html = get_html("/")
    nav = re.search(r'<nav class="main-nav" aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    assert "<details" in nav and "<summary>" in nav
    assert 'href="/publications/"' in nav and 'href="/search/"' in nav
    # The menu opens and closes without a script. The one script (Escape closes the menu)
    # is our own file, deferred; the JSON-LD data block is not run by the browser.
    scripts = re.findall(r"<script\b(?![^>]*type=\"application/ld\+json\")[^>]*>", html)
    assert scripts == ['<script src="/static/js/menu.js" defer>'], scripts


def test_print_stylesheet_is_linked_for_print_only(seeded, get_html):
    html = get_html("/publications/")
    link = r'<link rel="stylesheet" href="/static/css/print[^"]*\.css" media="print">'
    assert re.search(link, html)


def test_templates_have_no_inline_scripts_or_styles():
    """A strict Content-Security-Policy must not break any page."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        # JSON-LD data blocks are not executed, so CSP's script-src does not apply.
        script = r"<script\b(?![^>]*\b(?:src=|type=\"application/ld\+json\"))"
        if re.search(rf"<style\b|\sstyle=|{script}|\son[a-z]+=", text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_editors_must_describe_an_image_or_mark_it_decorative(db, photo):
    block = FigureBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"image": {"image": photo.pk, "alt_text": ""}}))
    described = block.clean(
        block.to_python({"image": {"image": photo.pk, "alt_text": "A nurse teaching a class"}})
    )
    assert described["image"].contextual_alt_text == "A nurse teaching a class"
    decorative = block.clean(block.to_python({"image": {"image": photo.pk, "decorative": True}}))
    assert decorative["image"].decorative


def test_error_page_renders_without_the_database():
    """500.html must not touch the database (it may be why we failed); no `db` fixture here,
    so any query would raise."""
    html = render_to_string("500.html")
    assert html.count("<h1") == 1 and "Sorry, something went wrong" in html
    assert html.index('class="skip-link"') < html.index("<header")
    assert 'aria-label="Main"' in html and 'href="/"' in html


# --- Valid, named sections ---------------------------------------------------------


def _seeded_and_listing_urls():
    urls = [page.url for page in Page.objects.live().public().filter(depth__gt=1)]
    return [*urls, "/our-work/projects/?country=tanzania", "/publications/?type=report"]


def test_ids_are_unique_and_sections_are_named_by_their_own_heading(seeded, get_html):
    """Every statistics block used to render id="stats-h", so every statistics section
    on About and the briefing was announced with the first one's heading."""
    problems = []
    for url in _seeded_and_listing_urls():
        soup = BeautifulSoup(get_html(url), "html.parser")
        ids = [tag["id"] for tag in soup.find_all(id=True)]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            problems.append(f"{url}: duplicate ids {duplicates}")
        for section in soup.select("section.statistics[aria-labelledby]"):
            heading = soup.find(id=section["aria-labelledby"])
            if heading is None or heading not in section.find_all():
                problems.append(f"{url}: {section['aria-labelledby']} names another section")
    assert not problems, "\n".join(problems)
    soup = BeautifulSoup(get_html("/publications/general-election-2024-briefing/"), "html.parser")
    names = [
        soup.find(id=s["aria-labelledby"]).get_text(strip=True)
        for s in soup.select("section.statistics[aria-labelledby]")
    ]
    assert names == [
        "An international NHS",
        "What NHS staff think",
        "The cost of the 2021 cuts",
        "THET in the past ten years",
    ]


def test_statistics_heading_ids_stay_the_same_between_renders(seeded, client, settings):
    settings.FRAGMENT_CACHE_ENABLED = False
    settings.PAGE_CACHE_ENABLED = False
    first = re.findall(r'id="(stats-[^"]+)"', client.get("/about/").content.decode())
    second = re.findall(r'id="(stats-[^"]+)"', client.get("/about/").content.decode())
    assert first and first == second


@pytest.mark.parametrize(
    ("url", "count"),
    [
        ("/our-work/projects/?theme=ncds", "1 project matches your filters"),
        (
            "/our-work/projects/?programme=health-partnership-scheme",
            "3 projects match your filters",
        ),
        ("/publications/?type=briefing", "1 publication matches these filters"),
        ("/publications/?type=report", "2 publications match these filters"),
    ],
)
def test_live_region_is_around_the_result_count_not_inside_its_heading(
    seeded, get_html, url, count
):
    soup = BeautifulSoup(get_html(url), "html.parser")
    for heading in soup.select("h1, h2, h3, h4, h5, h6"):
        assert not heading.select("[role=status]"), heading
    heading = soup.find(id="results-heading")
    assert heading.find_parent(attrs={"role": "status"}) is not None
    assert heading.get_text(" ", strip=True) == count  # and the verb agrees
