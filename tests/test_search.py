"""Site search: relevance on the seed, kinds, promotions, pagination, hostile input.

These run on whichever database DATABASE_URL names: SQLite FTS5 by default, PostgreSQL
full-text search in CI's second run (`.ci/run`), so each test holds on both.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page
from wagtail.search.models import IndexEntry

from pages.search import clean_query, highlight
from partnerships.models import PartnerOrganisation, ProjectIndexPage, ProjectPage
from policy.models import PublicationPage

NEPAL = "/our-work/projects/colposcopy-cervical-pathology-kathmandu-nepal/"
TANZANIA = "/our-work/projects/violence-aggression-management-tanzania/"
INDIA_CHINA = "/our-work/projects/healthcare-resource-allocation-india-china/"
EXPERTS = "/publications/experts-in-our-midst/"
ELECTION = "/publications/general-election-2024-briefing/"


def result_links(html: str) -> list[str]:
    """The result links in order, promotions first (as a visitor reads them)."""
    return re.findall(r'<h3 class="card__title"><a href="([^"]+)"', html)


def search(client, status=200, **params):
    response = client.get("/search/", params)
    assert response.status_code == status
    return response.content.decode()


# --- The index is up to date ------------------------------------------------------------


def test_every_live_page_is_in_the_search_index(seeded):
    pages = Page.objects.live().filter(depth__gt=1)
    indexed = set(IndexEntry.objects.values_list("object_id", flat=True))
    missing = [p.url_path for p in pages if str(p.pk) not in indexed]
    assert pages.count() >= 15
    assert missing == []


def test_partner_names_reach_the_index_on_first_publish(seeded):
    """Partners are set before the first save; the index entry must still carry them."""
    project = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    assert [r.pk for r in ProjectPage.objects.live().search("Mirembe")] == [project.pk]


def test_a_new_page_is_searchable_once_published(seeded, client):
    index = ProjectIndexPage.objects.get()
    project = ProjectPage(
        title="Ultrasound training in Zanzibar", slug="zanzibar", summary="x", live=False
    )
    index.add_child(instance=project)
    assert "/zanzibar/" not in search(client, q="Zanzibar")  # a draft is not shown
    project.save_revision().publish()
    assert result_links(search(client, q="Zanzibar")) == [project.url]


# --- Relevance on the seed --------------------------------------------------------------


def test_colposcopy_puts_the_nepal_project_first(seeded, client):
    assert result_links(search(client, q="colposcopy"))[0] == NEPAL


def test_diaspora_puts_experts_in_our_midst_first(seeded, client):
    links = result_links(search(client, q="diaspora"))
    # The election briefing mentions diaspora more often; the title match must win.
    assert ELECTION in links
    assert links[0] == EXPERTS


@pytest.mark.parametrize(
    ("query", "project"),
    [
        ("Mirembe", TANZANIA),
        ("NICE", INDIA_CHINA),
        ("Nottingham", NEPAL),
        ("Central and North West London", TANZANIA),
        ("CNHDRC", INDIA_CHINA),
    ],
)
def test_a_partners_name_finds_its_projects(seeded, client, query, project):
    assert result_links(search(client, q=query))[0] == project


def test_country_and_theme_names_find_projects(seeded, client):
    assert TANZANIA in result_links(search(client, q="Tanzania", kind="projects"))
    assert NEPAL in result_links(search(client, q="Sexual and Reproductive Health"))


def test_publication_type_and_topic_are_searchable(seeded, client):
    assert ELECTION in result_links(search(client, q="briefing"))
    assert "/publications/the-transition-from-aid/" in result_links(
        search(client, q="discussion paper")
    )


def test_authors_are_searchable(seeded, client):
    publication = PublicationPage.objects.get(slug="in-our-mutual-interest")
    publication.authors = "Grace Okonkwo, Ben Hartley"
    publication.save_revision().publish()
    assert result_links(search(client, q="Okonkwo")) == ["/publications/in-our-mutual-interest/"]


def test_renamed_partner_is_found_by_its_new_name(seeded, client):
    partner = PartnerOrganisation.objects.get(name="NICE")
    partner.name = "National Institute for Health and Care Excellence"
    partner.save()
    assert result_links(search(client, q="Excellence Institute"))[:1] == [INDIA_CHINA]


# --- What a visitor sees ----------------------------------------------------------------


def test_results_show_kind_snippet_and_count(seeded, client):
    html = search(client, q="colposcopy")
    assert "1 result for “colposcopy”" in html
    assert "Project · Nepal" in html
    # The snippet is the summary, with the word marked.
    assert "Training clinicians in Kathmandu in <mark>colposcopy</mark>" in html


def test_snippet_comes_from_the_body_when_the_summary_lacks_the_word(seeded, client):
    html = search(client, q="earthquake")
    item = re.search(r"<li class=\"card\">.*?</li>", html, re.S).group(0)
    assert "Health Partnership Scheme" in item
    assert "<mark>earthquake</mark>" in item


def test_kind_filter(seeded, client):
    html = search(client, q="health")
    assert re.search(r"Projects \(3\)", html)
    assert re.search(r"Publications \(\d+\)", html)
    projects = result_links(search(client, q="health", kind="projects"))
    assert sorted(projects) == sorted([NEPAL, TANZANIA, INDIA_CHINA])
    publications = result_links(search(client, q="health", kind="publications"))
    assert publications and all(link.startswith("/publications/") for link in publications)
    assert "/publications/" not in publications  # the index page is an "other page"
    pages = result_links(search(client, q="health", kind="pages"))
    assert "/about/" in pages
    assert not any(link in pages for link in (NEPAL, EXPERTS))


def test_unknown_kind_is_ignored(seeded, client):
    assert result_links(search(client, q="colposcopy", kind="<b>nope"))[0] == NEPAL


def test_empty_kind_offers_all_results(seeded, client):
    html = search(client, q="colposcopy", kind="publications")
    assert "No results among publications" in html
    assert 'href="?q=colposcopy">See all 1 result for “colposcopy”' in html


def test_no_results_is_helpful(seeded, client):
    html = search(client, q="quidditch")
    assert "0 results for “quidditch”" in html
    assert 'href="/our-work/projects/"' in html and 'href="/publications/"' in html


def test_empty_query_shows_the_form_and_ways_in(seeded, client):
    html = search(client)
    assert 'name="q"' in html and "<label" in html
    assert 'href="/our-work/projects/"' in html
    assert "results for" not in html


def test_pagination_keeps_the_query_and_kind(seeded, client):
    index = ProjectIndexPage.objects.get()
    for n in range(12):
        page = ProjectPage(title=f"Midwifery skills {n}", slug=f"midwifery-{n}", summary="M.")
        index.add_child(instance=page)
        page.save_revision().publish()
    first = search(client, q="midwifery", kind="projects")
    assert "12 results" in first
    assert len(result_links(first)) == 10
    assert 'href="?q=midwifery&amp;kind=projects&amp;page=2#results"' in first
    second = search(client, q="midwifery", kind="projects", page="2")
    assert len(result_links(second)) == 2
    assert not set(result_links(first)) & set(result_links(second))
    # Out of range and malformed page numbers fall back, never 500.
    assert result_links(search(client, q="midwifery", kind="projects", page="99")) == (
        result_links(second)
    )
    assert len(result_links(search(client, q="midwifery", page="abc"))) == 10


def test_query_count_does_not_grow_with_results(seeded, client, full_render):
    # Each search is made once first: the first search of a word today creates its
    # 'popular searches' record, and Wagtail fills its own per-process caches.
    search(client, q="colposcopy")
    with CaptureQueriesContext(connection) as one_result:
        assert len(result_links(search(client, q="colposcopy"))) == 1
    index = ProjectIndexPage.objects.get()
    for n in range(12):
        page = ProjectPage(title=f"Surgery course {n}", slug=f"surgery-{n}", summary="Surgery.")
        index.add_child(instance=page)
        page.save_revision().publish()
    search(client, q="surgery")
    with CaptureQueriesContext(connection) as ten_results:
        assert len(result_links(search(client, q="surgery"))) == 10
    assert len(ten_results) <= len(one_result) <= 15


# --- Search promotions --------------------------------------------------------------------


def test_promotions_come_first(seeded, client):
    about = Page.objects.get(url_path="/home/about/")
    query = Query.get("diaspora")
    SearchPromotion.objects.create(query=query, page=about, description="Who we are.", sort_order=0)
    SearchPromotion.objects.create(
        query=query,
        external_link_url="https://example.org/diaspora-network",
        external_link_text="Diaspora network",
        sort_order=1,
    )
    html = search(client, q="Diaspora")
    links = result_links(html)
    assert links[:3] == ["/about/", "https://example.org/diaspora-network", EXPERTS]
    assert links.count("/about/") == 1
    assert "Recommended" in html and "Who we are." in html


def test_promotion_of_an_unpublished_page_is_hidden(seeded, client):
    about = Page.objects.get(url_path="/home/about/")
    SearchPromotion.objects.create(query=Query.get("diaspora"), page=about, sort_order=0)
    about.unpublish()
    assert "/about/" not in result_links(search(client, q="diaspora"))


def test_searches_are_counted_for_editors(seeded, client, settings):
    """Each visitor's search counts once a day per term (a script cannot fill the report):
    two visitors count two, the same visitor again counts nothing more. (Counted when the
    page is rendered: a search answered from the page cache is not counted.)"""
    settings.PAGE_CACHE_ENABLED = False
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.2"):
        response = client.get("/search/", {"q": "Colposcopy"}, REMOTE_ADDR=address)
        assert response.status_code == 200
    assert Query.objects.get(query_string="colposcopy").hits == 2


# --- Hostile input --------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "x" * 5000,
    "nepal " * 1000,
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    '">',
    '"unbalanced',
    "'",
    "it's",
    "nepal'",
    "' OR 1=1 --",
    "1; DROP TABLE wagtailcore_page;--",
    "%' AND '1'='1",
    "😀🙃 diaspora 🚀",
    "NOT",
    "AND OR NOT NEAR",
    "nepal*",
    "(nepal",
    "title:nepal",
    "-nepal",
    "nepal -",
    "\\",
    "\x00nepal",
    "ｎｅｐａｌ",
    "Ωμέγα 日本語 العربية",
    "colposcopy\u2028\u2029",
    "{{ 7*7 }} {% debug %}",
]


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("kind", ["", "projects", "pages"])
def test_hostile_queries_never_fail_or_reflect(seeded, client, query, kind):
    # An empty parameter is dropped by a redirect first (thet_site.middleware).
    response = client.get("/search/", {"q": query, "kind": kind, "page": "2'"}, follow=True)
    assert response.status_code == 200, connection.vendor
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html
    assert "Traceback" not in html


def test_query_is_shown_escaped(seeded, client):
    html = search(client, q='"><b>bold</b>')
    assert "&quot;&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>bold</b>" not in html


def test_clean_query_keeps_words_only():
    assert clean_query('"colposcopy" <script>') == "colposcopy script"
    assert clean_query("it's non-British --") == "it's non-British"
    assert len(clean_query("a " * 5000)) <= 200
    assert clean_query('">') == ""


def test_highlight_escapes_before_marking():
    assert str(highlight("<b>Nepal</b> & co", "nepal")) == (
        "&lt;b&gt;<mark>Nepal</mark>&lt;/b&gt; &amp; co"
    )
    assert str(highlight("a & b", "amp")) == "a &amp; b"


# --- The 404 page's search ----------------------------------------------------------------


def test_404_search_form_leads_to_results(seeded, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    form = re.search(r"<form[^>]*action=\"([^\"]+)\"[^>]*>(.*?)</form>", html, re.S)
    assert form.group(1) == "/search/"
    field = re.search(r'<input[^>]*type="search"[^>]*name="(\w+)"', form.group(2)).group(1)
    assert result_links(search(client, **{field: "colposcopy"}))[0] == NEPAL


def test_404_suggests_words_from_the_missing_address(seeded, client):
    html = client.get("/resources/Experts-in-our-Midst_report-2023.pdf").content.decode()
    assert 'value="Experts in our Midst report"' in html
    hostile = client.get("/x/%22%3E%3Cscript%3Ealert(1)%3C/script%3E/").content.decode()
    assert "<script>alert" not in hostile


def test_no_page_with_every_word_falls_back_to_any_word(seeded, client):
    html = search(client, q="colposcopy quidditch")
    assert "nothing contains all of these words" in html
    assert result_links(html)[0] == NEPAL
    assert "nothing contains all" not in search(client, q="colposcopy nepal")
