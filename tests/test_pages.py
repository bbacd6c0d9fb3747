"""Every seeded page renders with its key facts in the server's HTML."""

import re

import pytest
from wagtail.models import Site

from pages.models import SiteFooter

SEEDED_PAGES = {
    "/": [
        "A world where everyone has access to healthcare",
        "Working in partnership to support health workers across the world",
        "100,000+",
        "31",
    ],
    "/about/": [
        "Responsive, not prescriptive",
        "Innovative",
        "Respect and reciprocity",
        "Sustainable",
        "What are health partnerships?",
        "87,000+",
    ],
    "/our-work/": ["Policy Work", "Health Partnership Scheme", "Projects"],
    "/our-work/policy-work/": [
        "Our emphasis",
        "Our ambition",
        "Experts in Our Midst",
        "From Competition to Collaboration",
        "The Transition from Aid",
        "In Our Mutual Interest",
        "Globalization and Health",
    ],
    "/our-work/health-partnership-scheme/": [
        "191",
        "210",
        "2,000+",
        "93,112",
        "30",
        "£30 million",
        "health workers trained",
        "Mirembe Hospital and Nursing School",
    ],
    "/our-work/projects/": ["Nottingham University Hospital NHS Trust", "Tanzania", "NICE"],
    "/our-work/projects/colposcopy-cervical-pathology-kathmandu-nepal/": [
        "Maternity Hospital, Kathmandu",
        "Nepal",
        "Sexual and Reproductive Health",
        "Health Partnership Scheme",
    ],
    "/our-work/projects/healthcare-resource-allocation-india-china/": [
        "China National Health Development Research Center (CNHDRC)",
        "India",
        "China",
        "NCDs",
    ],
    "/our-work/projects/violence-aggression-management-tanzania/": [
        "Central and North West London NHS Foundation Trust",
        "Mental Health",
    ],
    "/publications/": ["General Election 2024 Briefing", "Experts in Our Midst", "5 publications"],
    "/publications/general-election-2024-briefing/": [
        "1 in 5",
        "1 in 3",
        "214",
        "96%",
        "88%",
        "76%",
        "£48 million",
        "78,000",
        "430,000",
        "Our key asks for the first 100 days",
        "NHS Global",
        "Briefing",
    ],
    "/publications/experts-in-our-midst/": ["15%", "Report", "Diaspora"],
    "/publications/the-transition-from-aid/": ["Discussion paper"],
    "/publications/in-our-mutual-interest/": ["Policy paper"],
}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


@pytest.mark.parametrize("url", list(SEEDED_PAGES))
def test_seeded_page_shows_its_facts(seeded, get_html, url):
    html = get_html(url)
    text = text_of(html)
    for fact in SEEDED_PAGES[url]:
        assert fact in text, f"{url} lacks {fact!r}"
    assert html.count("<h1") == 1
    assert 'class="skip-link" href="#main"' in html


def test_key_asks_are_an_ordered_list(seeded, get_html):
    html = get_html("/publications/general-election-2024-briefing/")
    asks = re.search(r'<ol class="key-asks__list">(.*?)</ol>', html, re.S)
    assert asks and asks.group(1).count("<li>") == 3


def test_publication_without_file_has_no_download(seeded, get_html):
    html = get_html("/publications/experts-in-our-midst/")
    assert "There is no download for this publication yet." in html
    assert "/documents/" not in html  # (the citation files are its only downloads)


def test_main_menu_comes_from_the_tree(seeded, get_html):
    html = get_html("/")
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    assert 'href="/about/"' in nav and 'href="/our-work/"' in nav
    assert 'href="/publications/"' in nav


def test_breadcrumbs_on_inner_pages(seeded, get_html):
    html = get_html("/our-work/projects/violence-aggression-management-tanzania/")
    crumbs = re.search(r'<nav class="breadcrumbs.*?</nav>', html, re.S).group(0)
    assert 'href="/our-work/">Our Work' in crumbs
    assert 'href="/our-work/projects/">Projects' in crumbs
    assert 'aria-current="page"' in crumbs
    assert 'class="breadcrumbs' not in get_html("/")


def test_footer_comes_from_site_settings(seeded, get_html):
    footer = SiteFooter.for_site(Site.objects.get(is_default_site=True))
    footer.address = "1 Example Street\nLondon"
    footer.charity_number = "1234567"
    footer.social_links = [
        {"type": "link", "value": {"platform": "linkedin", "url": "https://example.org/thet"}}
    ]
    footer.save()
    html = get_html("/about/")
    assert "Registered charity number 1234567" in html
    assert "1 Example Street<br>London" in html
    assert 'href="https://example.org/thet"' in html and "LinkedIn" in html


def test_404_is_the_sites_own(seeded, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Sorry, we can’t find that page" in html
    assert 'action="/search/"' in html
    assert "Traceback" not in html and "DEBUG" not in html


def test_no_debug_output_anywhere(seeded, client, settings):
    assert settings.DEBUG is False
    for url in SEEDED_PAGES:
        html = client.get(url).content.decode()
        for leak in ("Traceback", "Notice:", "Warning:", "DoesNotExist", "{{", "{%"):
            assert leak not in html, (url, leak)


def test_health_reports_database(db, client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
