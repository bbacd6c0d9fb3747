"""One public address for every absolute URL the site writes: SITE_URL."""

import html as htmllib
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from wagtail.models import Site

from policy.models import PublicationPage
from thet_site.env import site_url

pytestmark = pytest.mark.django_db

SITE_URL = "https://www.thet.example"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


# JSON-LD keys that hold the site's own addresses (not "@context" or social "sameAs").
OWN_URL_KEYS = {"@id", "url", "item", "logo", "contentUrl", "urlTemplate"}


def json_ld_urls(data) -> list[str]:
    """The site's own addresses anywhere in a JSON-LD structure."""
    if isinstance(data, list):
        return [url for value in data for url in json_ld_urls(value)]
    if not isinstance(data, dict):
        return []
    urls = [v for k, v in data.items() if k in OWN_URL_KEYS and isinstance(v, str)]
    return urls + [
        url for key, value in data.items() if key not in OWN_URL_KEYS for url in json_ld_urls(value)
    ]


def absolute_urls_written_by_the_site(client, host) -> dict[str, list[str]]:
    """Fetch each place the site builds absolute URLs; return the URLs, by place."""
    found = {}

    def get(url):
        response = client.get(url, HTTP_HOST=host)
        assert response.status_code == 200, url
        return response.content.decode()

    publication = PublicationPage.objects.live().first()
    for path in ("/", "/about/", publication.url):
        page = get(path)
        head = page[: page.index("</head>")]
        found[f"{path} canonical"] = re.findall(r'<link rel="canonical" href="([^"]+)"', head)
        found[f"{path} og:url"] = re.findall(r'<meta property="og:url" content="([^"]+)"', head)
        found[f"{path} og:image"] = re.findall(r'<meta property="og:image" content="([^"]+)"', head)
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        found[f"{path} JSON-LD"] = [
            url for block in blocks for url in json_ld_urls(json.loads(htmllib.unescape(block)))
        ]
    sitemap = ET.fromstring(get("/sitemap.xml"))  # noqa: S314 - our own response
    found["sitemap"] = [loc.text for loc in sitemap.findall(".//s:loc", SITEMAP_NS)]
    found["robots.txt"] = re.findall(r"^Sitemap: (\S+)", get("/robots.txt"), re.M)
    feed = ET.fromstring(get("/publications/feed/"))  # noqa: S314 - our own response
    found["feed"] = [link.text for link in feed.iter("link")] + [
        enclosure.get("url") for enclosure in feed.iter("enclosure")
    ]
    found["feed self"] = [
        link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")
    ]
    for place, urls in found.items():
        assert urls, f"no absolute URL found in {place}"
    return found


def test_site_url_is_read_and_normalised():
    assert site_url(environ={}) == ""
    assert site_url(environ={"SITE_URL": "https://www.thet.org/"}) == "https://www.thet.org"
    assert site_url(environ={"SITE_URL": "https://WWW.thet.org:443"}) == "https://www.thet.org"
    assert site_url(environ={"SITE_URL": "http://127.0.0.1:8000"}) == "http://127.0.0.1:8000"
    for bad in ("www.thet.org", "ftp://thet.org", "https://thet.org/path/", "https://x:99999"):
        with pytest.raises(ImproperlyConfigured):
            site_url(environ={"SITE_URL": bad})


def test_every_absolute_url_uses_site_url(client, seeded, settings, full_render):
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["10.0.0.7"]
    # A request on another host (a server's own address behind the balancer) changes nothing.
    found = absolute_urls_written_by_the_site(client, host="10.0.0.7")
    for place, urls in found.items():
        for url in urls:
            assert url.startswith(SITE_URL + "/"), f"{place}: {url}"


def test_without_site_url_development_uses_the_request_host(client, seeded, settings):
    settings.SITE_URL = ""
    settings.DEBUG = True
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    found = absolute_urls_written_by_the_site(client, host="127.0.0.1:8000")
    for place, urls in found.items():
        for url in urls:
            assert url.startswith("http://127.0.0.1:8000/"), f"{place}: {url}"


def test_without_site_url_production_uses_the_site_record(client, seeded, settings):
    """Not the Host header: every server and host name gives the same addresses."""
    settings.SITE_URL = ""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "www.thet.example", 443
    site.save()
    settings.ALLOWED_HOSTS = ["10.0.0.7"]
    found = absolute_urls_written_by_the_site(client, host="10.0.0.7")
    for place, urls in found.items():
        for url in urls:
            assert url.startswith("https://www.thet.example/"), f"{place}: {url}"


def run_set_site_url() -> str:
    out = io.StringIO()
    call_command("set_site_url", stdout=out)
    return out.getvalue()


def test_set_site_url_writes_the_site_record_and_is_idempotent(seeded, settings):
    sites = Site.objects.count()
    settings.SITE_URL = SITE_URL
    assert "now https://www.thet.example" in run_set_site_url()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("www.thet.example", 443, SITE_URL)
    assert "already https://www.thet.example" in run_set_site_url()
    assert Site.objects.count() == sites
    # Plain HTTP on another port, e.g. a staging server.
    settings.SITE_URL = "http://staging.thet.example:8080"
    run_set_site_url()
    site.refresh_from_db()
    assert site.root_url == "http://staging.thet.example:8080"


def test_set_site_url_without_site_url_changes_nothing(seeded, settings):
    settings.SITE_URL = ""
    before = Site.objects.get(is_default_site=True).root_url
    assert "SITE_URL is not set" in run_set_site_url()
    assert Site.objects.get(is_default_site=True).root_url == before


def test_set_site_url_refuses_what_a_site_record_cannot_hold(seeded, settings):
    settings.SITE_URL = "https://www.thet.example:8443"  # Wagtail reads 8443 as http
    with pytest.raises(CommandError, match="https on port 443"):
        run_set_site_url()
    assert Site.objects.get(is_default_site=True).hostname == "localhost"
