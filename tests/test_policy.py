"""Publications: the listing's filters, the RSS feed, and where the latest ones appear."""

import datetime
import json
from email.utils import parsedate_to_datetime

import pytest
from bs4 import BeautifulSoup
from defusedxml import ElementTree as ET
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Site
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)
from wagtail.test.utils.form_data import nested_form_data as nfd

from policy.models import (
    PolicyWorkPage,
    PublicationIndexPage,
    PublicationPage,
    PublicationType,
    Topic,
)

SEED_TITLES = {
    "Experts in Our Midst": datetime.date(2023, 11, 1),
    "From Competition to Collaboration": datetime.date(2022, 11, 1),
    "The Transition from Aid": datetime.date(2017, 6, 1),
    "In Our Mutual Interest": datetime.date(2016, 6, 1),
    "General Election 2024 Briefing": datetime.date(2024, 6, 1),
}


def site_root() -> str:
    """The public address every absolute URL uses: the Site record without SITE_URL."""
    return Site.objects.get(is_default_site=True).root_url


def listed_titles(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [h.get_text(strip=True) for h in soup.select(".publication-teaser h3")]


def has(titles: list[str], start: str) -> bool:
    return any(title.startswith(start) for title in titles)


def add_publications(count: int, **fields) -> list[PublicationPage]:
    """Publish ``count`` simple publications under the index (no revisions needed)."""
    index = PublicationIndexPage.objects.get()
    report = PublicationType.objects.get(slug="report")
    topic = Topic.objects.get(slug="uk-aid")
    pages = []
    for n in range(count):
        page = PublicationPage(
            title=f"Generated report {n:03d}",
            slug=f"generated-report-{n:03d}",
            publication_type=report,
            publication_date=datetime.date(2010, 1, 1) + datetime.timedelta(days=n),
            summary=f"Number {n}.",
            **fields,
        )
        index.add_child(instance=page)
        page.topics.set([topic])
        pages.append(page)
    return pages


# --- Listing -----------------------------------------------------------------------------


@pytest.mark.django_db
class TestListing:
    def test_every_seed_publication_newest_first(self, get_html):
        titles = listed_titles(get_html("/publications/"))
        expected = sorted(SEED_TITLES, key=SEED_TITLES.get, reverse=True)
        assert [t[: len(e)] for t, e in zip(titles, expected, strict=True)] == expected

    @pytest.mark.parametrize(
        ("query", "shown", "hidden"),
        [
            ("type=briefing", ["General Election 2024 Briefing"], ["Experts in Our Midst"]),
            ("type=discussion-paper", ["The Transition from Aid"], ["In Our Mutual Interest"]),
            (
                "topic=diaspora",
                ["Experts in Our Midst", "General Election 2024 Briefing"],
                ["The Transition from Aid"],
            ),
            ("year=2017", ["The Transition from Aid"], ["In Our Mutual Interest"]),
            ("q=diaspora", ["Experts in Our Midst"], ["In Our Mutual Interest"]),
            (
                "topic=uk-aid&type=policy-paper",
                ["In Our Mutual Interest"],
                ["The Transition from Aid", "General Election 2024 Briefing"],
            ),
            ("type=report&year=2022", ["From Competition to Collaboration"], ["Experts in"]),
        ],
    )
    def test_filters(self, get_html, query, shown, hidden):
        titles = listed_titles(get_html(f"/publications/?{query}"))
        for title in shown:
            assert has(titles, title), f"{title} missing for {query}: {titles}"
        for title in hidden:
            assert not has(titles, title), f"{title} shown for {query}"

    def test_form_keeps_the_chosen_values(self, get_html):
        soup = BeautifulSoup(
            get_html("/publications/?type=briefing&topic=uk-aid&year=2024&q=NHS"), "html.parser"
        )
        assert soup.find("select", {"name": "type"}).find("option", selected=True)["value"] == (
            "briefing"
        )
        assert soup.find("select", {"name": "topic"}).find("option", selected=True)["value"] == (
            "uk-aid"
        )
        assert soup.find("select", {"name": "year"}).find("option", selected=True)["value"] == (
            "2024"
        )
        assert soup.find("main").find("input", {"name": "q"})["value"] == "NHS"
        # Every control has a label.
        for control in soup.select("form.filter-form select, form.filter-form input"):
            assert soup.find("label", {"for": control["id"]}), control

    def test_year_choices_come_from_the_publications(self, get_html):
        soup = BeautifulSoup(get_html("/publications/"), "html.parser")
        years = [o["value"] for o in soup.find("select", {"name": "year"}).find_all("option")]
        assert years == ["", "2024", "2023", "2022", "2017", "2016"]

    def test_nothing_matches(self, get_html):
        html = get_html("/publications/?year=1990")
        assert listed_titles(html) == []
        assert "No publications match these filters" in html
        html = get_html("/publications/?q=zzzyyyxxx")
        assert listed_titles(html) == []
        assert "No publications match these filters" in html

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ("type=nonsense", "We have no publication type “nonsense”."),
            ("topic=no-such-topic", "We have no topic “no-such-topic”."),
            ("type=report&topic=nothing-here", "We have no topic “nothing-here”."),
        ],
    )
    def test_unknown_value_matches_nothing_and_says_so(self, get_html, query, message):
        """As on the project listing, a well-formed value that names nothing gives
        an empty list and says so (it used to be ignored silently, listing everything)."""
        html = get_html(f"/publications/?{query}")
        assert listed_titles(html) == []
        assert "0 publications match these filters" in html
        assert "No publications match these filters." in html
        assert message in html.replace("&ldquo;", "“").replace("&rdquo;", "”")
        assert "could not be used" not in html

    @pytest.mark.parametrize(
        ("query", "notice"),
        [
            ("type=%3Cscript%3E", "That is not a publication type we could look up"),
            ("type=" + "a" * 300, "That is not a publication type we could look up"),
            ("topic=%3Cscript%3E", "That is not a topic we could look up"),
            ("topic=two%20words", "That is not a topic we could look up"),
            ("year=abc", "The year must be a four-digit year"),
            ("year=99999999999999999999", "The year must be a four-digit year"),
        ],
    )
    def test_bad_values_are_ignored_with_a_message(self, get_html, query, notice):
        html = get_html(f"/publications/?{query}")
        assert notice in html.replace("&#x27;", "'")
        assert len(listed_titles(html)) == 5

    @pytest.mark.parametrize(
        "query",
        [
            'q="',
            "q=%22%3E",
            "q='",
            "q=AND OR NOT",
            "q=" + "x" * 5000,
            "q=%00",
            "page=abc",
            "page=-1",
            "page=99999",
            "type=&topic=&year=&q=",
            "type=briefing&type=report",
            "year=0",
        ],
    )
    def test_malformed_input_never_500(self, client, query):
        # (empty parameters are first dropped by a redirect: tests/test_find_fast.py)
        assert client.get(f"/publications/?{query}", follow=True).status_code == 200

    def test_pagination_keeps_filters(self, get_html):
        add_publications(15)
        html = get_html("/publications/?type=report")
        assert "17 publications" in html
        assert len(listed_titles(html)) == 12
        soup = BeautifulSoup(html, "html.parser")
        next_link = soup.find("a", rel="next")
        assert next_link["href"] == "?type=report&page=2#results"
        titles = listed_titles(get_html("/publications/" + next_link["href"]))
        assert len(titles) == 5
        assert has(titles, "Experts in Our Midst") is False  # newest are on page 1
        # Out of range gives the last page.
        assert listed_titles(get_html("/publications/?type=report&page=50")) == titles

    def test_advertises_the_feed(self, get_html):
        for url in ["/publications/", "/"]:
            soup = BeautifulSoup(get_html(url), "html.parser")
            link = soup.find("link", rel="alternate", type="application/rss+xml")
            assert link is not None, url
            assert link["href"] == "/publications/feed/"


@pytest.mark.django_db
def test_listing_query_count_does_not_grow(client, django_assert_max_num_queries, full_render):
    def count(url):
        client.get(url)  # warm the per-process caches (site root paths) first
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    urls = ["/publications/", "/publications/?topic=uk-aid&q=report", "/publications/feed/", "/"]
    urls += ["/our-work/policy-work/"]
    few = {url: count(url) for url in urls}
    add_publications(100)
    many = {url: count(url) for url in urls}
    assert many == few
    for url in urls:
        with django_assert_max_num_queries(15):
            client.get(url)


# --- Feed --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestFeed:
    def get_channel(self, client):
        response = client.get("/publications/feed/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/rss+xml")
        root = ET.fromstring(response.content)
        assert root.tag == "rss"
        assert root.get("version") == "2.0"
        channels = root.findall("channel")
        assert len(channels) == 1
        return channels[0]

    def test_valid_rss_with_the_seed_publications(self, client):
        channel = self.get_channel(client)
        # Required channel elements (RSS 2.0 spec).
        assert channel.findtext("title") == "THET publications"
        assert channel.findtext("link") == f"{site_root()}/publications/"
        assert channel.findtext("description")
        items = channel.findall("item")
        titles = [item.findtext("title") for item in items]
        expected = sorted(SEED_TITLES, key=SEED_TITLES.get, reverse=True)
        assert [t[: len(e)] for t, e in zip(titles, expected, strict=True)] == expected
        for item in items:
            link = item.findtext("link")
            assert link.startswith(f"{site_root()}/publications/")
            assert item.findtext("guid") == link
            assert item.findtext("description")
            title = item.findtext("title")
            date = next(d for t, d in SEED_TITLES.items() if title.startswith(t))
            assert parsedate_to_datetime(item.findtext("pubDate")).date() == date
            assert client.get(link).status_code == 200
        categories = [c.text for c in items[0].findall("category")]
        assert categories[0] == "Briefing"
        assert "Diaspora" in categories

    def test_enclosure_links_the_document(self, client, publication_pdf):
        page = PublicationPage.objects.get(slug="experts-in-our-midst")
        page.document = publication_pdf
        page.save_revision().publish()
        channel = self.get_channel(client)
        item = next(i for i in channel.findall("item") if i.findtext("title") == page.title)
        enclosure = item.find("enclosure")
        assert enclosure.get("type") == "application/pdf"
        assert enclosure.get("length") == str(len(publication_pdf.file.read()))
        url = enclosure.get("url")
        assert url.startswith(f"{site_root()}/documents/")
        response = client.get(url.removeprefix(site_root()))
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")

    def test_limited_to_the_latest_twenty(self, client):
        add_publications(30)
        assert len(self.get_channel(client).findall("item")) == 20


# --- Home and Policy Work ----------------------------------------------------------------


@pytest.mark.django_db
def test_home_shows_latest_publications(get_html):
    soup = BeautifulSoup(get_html("/"), "html.parser")
    section = soup.find("h2", string="Latest publications").find_parent("section")
    titles = [h.get_text(strip=True) for h in section.select("h3")]
    assert [t[:20] for t in titles] == [
        "General Election 202",
        "Experts in Our Midst",
        "From Competition to ",
    ]
    assert section.find("a", string="See all publications")["href"] == "/publications/"


# --- Publication page --------------------------------------------------------------------


def meta_values(soup, name):
    return [m["content"] for m in soup.find_all("meta", attrs={"name": name})]


def json_ld(soup):
    blocks = [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]
    # Every inner page also carries the site's BreadcrumbList; this is the other one.
    blocks = [b for b in blocks if b.get("@type") != "BreadcrumbList"]
    assert len(blocks) == 1
    return blocks[0]


@pytest.mark.django_db
class TestPublicationPage:
    def test_download_shows_format_and_size(self, get_html, publication_pdf):
        page = PublicationPage.objects.get(slug="experts-in-our-midst")
        page.document = publication_pdf
        page.save_revision().publish()
        soup = BeautifulSoup(get_html("/publications/experts-in-our-midst/"), "html.parser")
        link = soup.find("a", href=publication_pdf.url)
        assert link.get_text(" ", strip=True).replace("\xa0", " ") == (
            "Download the report (PDF, 125 bytes)"
        )
        facts = soup.find("dt", string="Format").find_next("dd").get_text().replace("\xa0", " ")
        assert facts == "PDF, 125 bytes"

    def test_without_a_document(self, get_html):
        html = get_html("/publications/in-our-mutual-interest/")
        assert "There is no download for this publication yet." in html
        assert 'name="citation_pdf_url"' not in html

    def test_citation_meta(self, get_html, publication_pdf):
        page = PublicationPage.objects.get(slug="experts-in-our-midst")
        page.document = publication_pdf
        page.authors = "Amina Mussa, John Smith"
        page.save_revision().publish()
        soup = BeautifulSoup(get_html("/publications/experts-in-our-midst/"), "html.parser")
        assert meta_values(soup, "citation_title") == [page.title]
        assert meta_values(soup, "citation_author") == ["Amina Mussa", "John Smith"]
        assert meta_values(soup, "citation_publication_date") == ["2023/11/01"]
        assert meta_values(soup, "citation_pdf_url") == [f"{site_root()}{publication_pdf.url}"]
        assert meta_values(soup, "citation_technical_report_institution") == [
            "Tropical Health & Education Trust (THET)"
        ]

    def test_organisation_is_the_author_when_none_named(self, get_html):
        soup = BeautifulSoup(get_html("/publications/the-transition-from-aid/"), "html.parser")
        assert meta_values(soup, "citation_author") == ["Tropical Health & Education Trust (THET)"]
        data = json_ld(soup)
        assert data["author"] == [data["publisher"]]

    def test_json_ld(self, get_html, publication_pdf):
        page = PublicationPage.objects.get(slug="general-election-2024-briefing")
        page.document = publication_pdf
        page.save_revision().publish()
        data = json_ld(
            BeautifulSoup(get_html("/publications/general-election-2024-briefing/"), "html.parser")
        )
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "Report"
        assert data["headline"] == "General Election 2024 Briefing"
        assert data["datePublished"] == "2024-06-01"
        assert data["url"] == f"{site_root()}/publications/general-election-2024-briefing/"
        assert data["publisher"] == {
            "@type": "Organization",
            "name": "Tropical Health & Education Trust (THET)",
            "url": f"{site_root()}/",
        }
        assert data["genre"] == "Briefing"
        assert "Diaspora" in data["keywords"]
        assert data["encoding"]["contentUrl"] == f"{site_root()}{publication_pdf.url}"
        assert data["encoding"]["encodingFormat"] == "application/pdf"

    def test_json_ld_has_image_modified_date_and_main_entity(self, get_html, media_root):
        """What Google's Article guidelines ask for beyond the basics."""
        page = PublicationPage.objects.get(slug="general-election-2024-briefing")
        page.save_revision().publish()
        page.refresh_from_db()
        data = json_ld(BeautifulSoup(get_html(page.url), "html.parser"))
        url = data["url"]
        assert url.endswith("/publications/general-election-2024-briefing/")
        assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
        assert data["dateModified"] == page.last_published_at.isoformat()
        assert data["dateModified"] >= data["datePublished"]
        origin = url.removesuffix(page.url)  # the site's address, as every absolute URL
        assert data["image"] == f"{origin}/static/img/og-default.png"

        # A cover becomes the image; a launch later than the last publication is the
        # modified date (never before it was published).
        cover = get_image_model().objects.create(
            title="Cover", file=get_test_image_file("cover.png", size=(800, 1100))
        )
        page.cover_image = cover
        page.save_revision().publish()
        # A launch date still to come schedules a revision, so set it on the live row
        # directly: a page live before its printed date still never claims an earlier
        # modified date than that.
        page.publication_date = timezone.localdate() + datetime.timedelta(days=3)
        type(page).objects.filter(pk=page.pk).update(publication_date=page.publication_date)
        data = json_ld(BeautifulSoup(get_html(page.url), "html.parser"))
        assert data["image"].startswith(f"{origin}/")
        assert "fill-1200x630" in data["image"]
        assert data["dateModified"] == page.publication_date.isoformat()

    def test_discussion_paper_is_a_scholarly_article(self, get_html):
        soup = BeautifulSoup(get_html("/publications/the-transition-from-aid/"), "html.parser")
        assert json_ld(soup)["@type"] == "ScholarlyArticle"

    def test_editor_text_cannot_break_out_of_the_json(self, get_html):
        page = PublicationPage.objects.get(slug="in-our-mutual-interest")
        page.summary = 'Ends here </script><script>alert("x")</script> & more'
        page.authors = "</script><b>Bold</b>"
        page.save_revision().publish()
        html = get_html("/publications/in-our-mutual-interest/")
        soup = BeautifulSoup(html, "html.parser")
        inline = [s for s in soup.find_all("script") if not s.get("src")]
        assert {s.get("type") for s in inline} == {"application/ld+json"}
        data = json_ld(soup)
        assert data["description"] == page.summary
        assert data["author"] == [{"@type": "Person", "name": "</script><b>Bold</b>"}]
        assert 'alert("x")' not in html

    def test_topics_link_to_the_filtered_listing(self, get_html):
        soup = BeautifulSoup(get_html("/publications/experts-in-our-midst/"), "html.parser")
        link = soup.find("a", string="Diaspora")
        assert link["href"] == "/publications/?topic=diaspora"
        assert has(listed_titles(get_html(link["href"])), "Experts in Our Midst")


# --- Policy Work -------------------------------------------------------------------------


def featured_titles(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    section = soup.find("h2", string="Featured publications").find_parent("section")
    return [h.get_text(strip=True)[:20] for h in section.select("h3")]


@pytest.mark.django_db
def test_policy_work_featured_in_the_editors_order(admin_client, get_html):
    assert featured_titles(get_html("/our-work/policy-work/")) == [
        "Experts in Our Midst",
        "From Competition to ",
        "The Transition from ",
        "In Our Mutual Intere",
    ]
    page = PolicyWorkPage.objects.get()
    items = list(page.featured_publications.all())
    # The editor drags the last pick to the top and removes the second, in the admin:
    # the forms keep their places and their ORDER fields carry the new order.
    new_order = {items[3].pk: 1, items[0].pk: 2, items[2].pk: 3}
    forms = [
        {
            "id": item.pk,
            "publication": item.publication_id,
            "ORDER": new_order.get(item.pk, 4),
            "DELETE": "" if item.pk in new_order else "1",
        }
        for item in items
    ]
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "introduction": page.introduction,
            "emphasis": rich_text(page.emphasis),
            "ambition": rich_text(page.ambition),
            "body": streamfield([]),
            "featured_publications": inline_formset(forms, initial=4),
            "action-publish": "action-publish",
        }
    )
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    html = get_html("/our-work/policy-work/")
    assert featured_titles(html) == [
        "In Our Mutual Intere",
        "Experts in Our Midst",
        "The Transition from ",
    ]
    # What is not featured is among the latest publications, and nothing twice.
    soup = BeautifulSoup(html, "html.parser")
    latest = soup.find("h2", string="Latest publications").find_parent("section")
    assert [h.get_text(strip=True)[:20] for h in latest.select("h3")] == [
        "General Election 202",
        "From Competition to ",
    ]


@pytest.mark.django_db
def test_preview_of_a_new_publication(admin_client, publication_pdf):
    """Editors' live preview renders a publication that is not saved yet."""
    index = PublicationIndexPage.objects.get()
    url = f"/admin/pages/add/policy/publicationpage/{index.pk}/preview/"
    data = nested_form_data(
        {
            "title": "Preview briefing",
            "slug": "preview-briefing",
            "publication_type": PublicationType.objects.get(slug="briefing").pk,
            "publication_date": "2026-03-01",
            "summary": "Shown in the preview.",
            "document": publication_pdf.pk,
            "body": streamfield([]),
        }
    )
    data["topics"] = [Topic.objects.get(slug="diaspora").pk]
    assert admin_client.post(url, data).json()["is_valid"] is True
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview briefing" in html
    assert "Download the briefing" in html


@pytest.mark.django_db
def test_preview_of_policy_work_with_a_new_pick(admin_client, get_html):
    page = PolicyWorkPage.objects.get()
    general_election = PublicationPage.objects.get(slug="general-election-2024-briefing")
    data = nfd(
        {
            "title": page.title,
            "slug": page.slug,
            "introduction": page.introduction,
            "emphasis": rich_text(page.emphasis),
            "ambition": rich_text(page.ambition),
            "body": streamfield([]),
            # The four picks as they are, moved down, and a new one put first.
            "featured_publications": inline_formset(
                [
                    {"id": item.pk, "publication": item.publication_id, "ORDER": n + 2}
                    for n, item in enumerate(page.featured_publications.all())
                ]
                + [{"publication": general_election.pk, "ORDER": 1}],
                initial=4,
            ),
        }
    )
    url = f"/admin/pages/{page.pk}/edit/preview/"
    assert admin_client.post(url, data).json()["is_valid"] is True
    html = admin_client.get(url).content.decode()
    assert featured_titles(html) == [
        "General Election 202",
        "Experts in Our Midst",
        "From Competition to ",
        "The Transition from ",
        "In Our Mutual Intere",
    ]
    # Only a preview: the live page is unchanged.
    assert "General Election 202" not in featured_titles(get_html("/our-work/policy-work/"))
