"""Metadata, sitemap, robots.txt and redirects."""

import ast
import csv
import html as htmllib
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.template.backends.django import get_installed_libraries
from wagtail.contrib.redirects.models import Redirect
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, PageViewRestriction, Site

from pages.models import SiteFooter
from pages.structured_data import dumps
from policy.models import PublicationPage

REDIRECTS_CSV = Path(settings.BASE_DIR) / "redirects" / "old-site-redirects.csv"


def seeded_urls():
    """Every live page's path, as the seed builds them."""
    return [page.url for page in Page.objects.live().public().filter(depth__gt=1).specific()]


def head_of(html: str) -> str:
    return html[: html.index("</head>")]


def meta(html: str, attr: str, name: str) -> str | None:
    found = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)"', head_of(html))
    return htmllib.unescape(found.group(1)) if found else None


def json_ld(html: str) -> list[dict]:
    return [
        json.loads(block)
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', head_of(html), re.S
        )
    ]


@pytest.fixture
def site():
    return Site.objects.get(is_default_site=True)


def test_every_seeded_page_carries_its_metadata(seeded, client, site):
    urls = seeded_urls()
    assert len(urls) >= 15
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        page = Page.objects.get(url_path=f"/home{url}" if url != "/" else "/home/").specific
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert (page.seo_title or page.title) in htmllib.unescape(title), url
        description = meta(html, "name", "description")
        assert description and description == " ".join(page.get_summary().split()), url
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
        assert canonical == f"{site.root_url}{url}", url
        assert meta(html, "property", "og:url") == canonical
        assert meta(html, "property", "og:title") == page.seo_title or page.title
        assert meta(html, "property", "og:description") == description
        assert meta(html, "property", "og:image").startswith("http")
        assert meta(html, "name", "twitter:card") == "summary_large_image"
        assert meta(html, "name", "twitter:image") == meta(html, "property", "og:image")
        kinds = [block.get("@type") for block in json_ld(html)]
        expected = None if url == "/" else "BreadcrumbList"  # the home page has a @graph
        assert kinds.count(expected) == 1, url


def test_default_share_image_is_served(seeded, client):
    html = client.get("/about/").content.decode()
    image = meta(html, "property", "og:image")
    assert image.endswith(".png")
    path = image.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200 or (
        Path(settings.BASE_DIR, "static", "img", "og-default.png").exists()
    )
    assert meta(html, "property", "og:image:width") == "1200"
    assert meta(html, "property", "og:image:alt")


def test_hero_image_becomes_the_share_image(seeded, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = Image.objects.create(title="Nurses in Kathmandu", file=get_test_image_file())
    page = Page.objects.get(url_path="/home/about/").specific
    page.hero_image = image
    page.save_revision().publish()
    html = client.get("/about/").content.decode()
    og_image = meta(html, "property", "og:image")
    assert og_image.startswith("http://") and "/media/images/" in og_image
    assert meta(html, "property", "og:image:alt") == "Nurses in Kathmandu"
    assert meta(html, "name", "twitter:image") == og_image


def test_publication_cover_is_its_share_image(seeded, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = Image.objects.create(title="Report cover", file=get_test_image_file())
    publication = PublicationPage.objects.get(slug="experts-in-our-midst")
    publication.cover_image = image
    publication.save_revision().publish()
    html = client.get("/publications/experts-in-our-midst/").content.decode()
    assert "/media/images/" in meta(html, "property", "og:image")
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "article:published_time") == "2023-11-01"


def test_search_description_overrides_the_summary(seeded, client):
    page = Page.objects.get(url_path="/home/about/").specific
    page.search_description = "All about THET, for search engines."
    page.save_revision().publish()
    html = client.get("/about/").content.decode()
    assert meta(html, "name", "description") == "All about THET, for search engines."
    assert meta(html, "property", "og:description") == "All about THET, for search engines."


def test_home_page_describes_the_organisation(seeded, client, site):
    footer = SiteFooter.for_site(site)
    footer.email = "info@example.org"
    footer.social_links = [
        {"type": "link", "value": {"platform": "linkedin", "url": "https://example.org/thet"}}
    ]
    footer.save()
    (data,) = json_ld(client.get("/").content.decode())
    graph = {item["@type"]: item for item in data["@graph"]}
    org = graph["Organization"]
    assert org["name"] == footer.organisation_name
    assert org["url"] == f"{site.root_url}/"
    assert org["logo"].startswith("http")
    assert org["email"] == "info@example.org"
    assert org["sameAs"] == ["https://example.org/thet"]
    assert graph["WebSite"]["potentialAction"]["target"]["urlTemplate"] == (
        f"{site.root_url}/search/?q={{search_term_string}}"
    )


def test_inner_pages_have_a_breadcrumb_list(seeded, client, site):
    url = "/our-work/projects/violence-aggression-management-tanzania/"
    (data,) = json_ld(client.get(url).content.decode())
    assert data["@type"] == "BreadcrumbList"
    items = data["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3, 4]
    assert [i["name"] for i in items[:3]] == ["Home", "Our Work", "Projects"]
    assert [i["item"] for i in items] == [
        f"{site.root_url}/",
        f"{site.root_url}/our-work/",
        f"{site.root_url}/our-work/projects/",
        f"{site.root_url}{url}",
    ]


def test_json_ld_cannot_be_broken_out_of(seeded, client):
    page = Page.objects.get(url_path="/home/about/").specific
    page.title = "About </script><script>alert(1)</script> & more"
    page.save_revision().publish()
    html = client.get("/about/").content.decode()
    head = head_of(html)
    assert "<script>alert(1)" not in head
    assert head.count("</script>") == head.count("<script")  # none closed early
    (data,) = json_ld(html)
    assert data["itemListElement"][-1]["name"] == page.title  # the text survives intact


def test_every_json_ld_block_comes_from_the_one_serialiser(seeded, client):
    """The site's JSON-LD and a publication's own are written by one function
    (pages/structured_data.py), so they share its form and its escapes."""

    page = PublicationPage.objects.get(slug="in-our-mutual-interest")
    page.summary = "Aid & trade <b>\u2028</b>"
    page.save_revision().publish()
    blocks = []
    for url in seeded_urls():
        html = client.get(url).content.decode()
        blocks += re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    kinds = {json.loads(block).get("@type") for block in blocks}
    assert {None, "BreadcrumbList", "Report", "ScholarlyArticle"} <= kinds  # None: @graph
    for block in blocks:
        assert block == dumps(json.loads(block))
    (mine,) = [b for b in blocks if "Aid \\u0026 trade" in b]
    assert "\\u003Cb\\u003E\\u2028" in mine and "\u2028" not in mine


def test_json_ld_is_built_in_the_base_layer_and_tags_load_from_pages():
    """The structured data module and thet_site's own tags import no app; the tag
    libraries keep their names, now in pages/templatetags/."""

    libraries = get_installed_libraries()
    assert libraries["seo_tags"] == "pages.templatetags.seo_tags"
    assert libraries["site_tags"] == "pages.templatetags.site_tags"
    assert "policy_tags" not in libraries  # its json_ld is seo_tags' now
    apps = {"pages", "partnerships", "policy", "sitewide"}
    root = Path(settings.BASE_DIR)
    for path in [root / "pages" / "structured_data.py", *root.glob("thet_site/templatetags/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not {name.split(".")[0] for name in names} & apps, path


def test_search_page_is_not_indexed_but_has_share_tags(seeded, client):
    html = client.get("/search/?q=nepal").content.decode()
    assert '<meta name="robots" content="noindex, follow">' in html
    assert meta(html, "property", "og:image")
    assert meta(html, "name", "description")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/search/", "/search/"),
        ("/search/?q=nepal", "/search/?q=nepal"),
        ("/search/?q=%20Nepal%20%20midwives&utm_source=x&page=1", "/search/?q=Nepal+midwives"),
        ("/search/?q=nepal&kind=projects&page=2", "/search/?q=nepal&kind=projects&page=2"),
        ("/search/?q=nepal&kind=nonsense&page=abc", "/search/?q=nepal"),
    ],
)
def test_search_page_has_a_canonical_link_and_og_url(seeded, client, site, url, canonical):
    """The canonical form keeps what decides the results (the query as searched, a
    known kind, a later page) so a shared link shows the same results, and drops the rest;
    og:url is the same address."""
    html = client.get(url).content.decode()
    found = re.search(r'<link rel="canonical" href="([^"]*)">', head_of(html))
    assert found, "no canonical link"
    expected = site.root_url + canonical
    assert htmllib.unescape(found.group(1)) == expected
    assert meta(html, "property", "og:url") == expected


# --- sitemap.xml and robots.txt -------------------------------------------------------

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client) -> dict:
    """{loc: <lastmod> element} of every URL in the sitemap, following its index."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    index = ET.fromstring(response.content)  # noqa: S314 - our own response
    entries = {}
    for part in index.findall("s:sitemap/s:loc", SITEMAP_NS):
        response = client.get(part.text)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/xml")
        root = ET.fromstring(response.content)  # noqa: S314 - our own response
        for url in root.findall("s:url", SITEMAP_NS):
            entries[url.find("s:loc", SITEMAP_NS).text] = url.find("s:lastmod", SITEMAP_NS)
    return entries


def test_sitemap_lists_every_seeded_page(seeded, client, site):
    entries = sitemap_entries(client)
    expected = {f"{site.root_url}{url}" for url in seeded_urls()}
    assert set(entries) == expected
    assert all(
        lastmod is not None and re.match(r"\d{4}-\d\d-\d\d", lastmod.text)
        for lastmod in entries.values()
    )


def test_sitemap_leaves_out_drafts_and_private_pages(seeded, client):
    about = Page.objects.get(url_path="/home/about/")
    publication = Page.objects.get(url_path="/home/publications/in-our-mutual-interest/")
    publication.unpublish()
    PageViewRestriction.objects.create(
        page=about, restriction_type=PageViewRestriction.PASSWORD, password="secret-words"
    )
    xml = " ".join(sitemap_entries(client))
    assert "/about/" not in xml
    assert "/in-our-mutual-interest/" not in xml
    assert "/publications/experts-in-our-midst/" in xml


def test_robots_txt_points_to_the_sitemap(seeded, client, site):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text
    assert "Disallow: /admin/" in text
    assert f"Sitemap: {site.root_url}/sitemap.xml" in text
    assert "<" not in text


# --- Redirects from the old site -----------------------------------------------------------


def import_csv(path, *args):
    out = io.StringIO()
    call_command("import_old_redirects", str(path), *args, stdout=out)
    return out.getvalue()


def old_site_rows():
    with REDIRECTS_CSV.open(newline="") as fh:
        return list(csv.reader(fh))[1:]


def test_old_site_redirects_import_and_301(seeded, client):
    rows = old_site_rows()
    assert len(rows) >= 5
    assert f"Created {len(rows)}" in import_csv(REDIRECTS_CSV)
    response = client.get("/about-us/")
    assert response.status_code == 301
    assert response["Location"] == "/about/"
    for old, new in rows:  # every old address lands on a live page of the new site
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new, old
        assert client.get(new).status_code == 200, new


def test_redirects_follow_a_page_that_moves(seeded, client):
    import_csv(REDIRECTS_CSV)
    about = Page.objects.get(url_path="/home/about/").specific
    about.slug = "about-thet"
    about.save_revision().publish()
    assert client.get("/about-us/")["Location"] == "/about-thet/"


def test_redirect_import_is_safe_to_repeat(seeded):
    import_csv(REDIRECTS_CSV)
    count = Redirect.objects.count()
    assert f"Created 0 and updated {count}" in import_csv(REDIRECTS_CSV)
    assert Redirect.objects.count() == count


def test_dry_run_changes_nothing(seeded):
    assert "Would create" in import_csv(REDIRECTS_CSV, "--dry-run")
    assert Redirect.objects.count() == 0


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(seeded, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "old_path,new_path\n"
        "/about-us/,/about/\n"
        "about-us-2/,/about/\n"
        "/old-news/,/no-such-page/\n"
        "/about-us/,/publications/\n"
        "/x/,javascript:alert(1)\n"
    )
    with pytest.raises(CommandError) as error:
        import_csv(bad)
    message = str(error.value)
    assert "line 3" in message and "must start with /" in message
    assert "line 4" in message and "no live page" in message
    assert "line 5" in message and "already on line 2" in message
    assert "line 6" in message
    assert Redirect.objects.count() == 0
    with pytest.raises(CommandError, match="Cannot read"):
        import_csv(tmp_path / "missing.csv")
