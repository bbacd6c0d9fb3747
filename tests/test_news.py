"""News and stories: the listing, a story, and everywhere a story is shown (the pages it
is tagged with, the project listing filtered by its country or theme, the home page, site
search, the sitemap, the RSS feed and its JSON-LD), with flat query counts."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from news.models import NewsIndexPage, NewsStoryPage
from pages.models import HomePage
from partnerships.models import Country, HealthTheme, ProjectPage
from policy.models import PublicationPage
from sitewide.seed import load_seed_content
from tests.test_fragments import add_projects_and_publications
from tests.test_metadata import sitemap_entries
from tests.test_pictures import make_photo

NEWS = "/news/"
STORY = "/news/health-partnership-volunteers-nepal-earthquake/"
NEPAL_PROJECT = "/our-work/projects/colposcopy-cervical-pathology-kathmandu-nepal/"
TANZANIA_PROJECT = "/our-work/projects/violence-aggression-management-tanzania/"
EXPERTS = "/publications/experts-in-our-midst/"


def add_story(title, *, date=None, publish=True, **tags) -> NewsStoryPage:
    """A story under the news listing, tagged with ``tags`` (projects, publications,
    countries, themes: lists), published unless ``publish`` is False."""
    index = NewsIndexPage.objects.get()
    story = NewsStoryPage(
        title=title,
        slug=re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
        publication_date=date or datetime.date(2026, 11, 1),
        summary=f"What happened: {title}.",
        live=False,
    )
    for relation, items in tags.items():
        getattr(story, relation).set(items)
    index.add_child(instance=story)
    revision = story.save_revision()
    if publish:
        revision.publish()
    story.refresh_from_db()
    return story


def add_stories(count: int, **tags) -> list[NewsStoryPage]:
    return [
        add_story(
            f"Generated story {n:03d}",
            date=datetime.date(2020, 1, 1) + datetime.timedelta(n),
            **tags,
        )
        for n in range(count)
    ]


def soup_of(client, url, status=200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, url
    return BeautifulSoup(response.content, "html.parser")


def json_ld(soup) -> list[dict]:
    return [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]


# --- The listing and a story ---------------------------------------------------------------


def test_the_seed_has_the_listing_and_the_nepal_story(seeded, client):
    soup = soup_of(client, NEWS)
    assert soup.h1.get_text(strip=True) == "News"
    links = [a["href"] for a in soup.select("#results .card__title a")]
    assert links == [STORY]
    assert "1 story" in soup.find(id="results-heading").get_text()


def test_seeding_again_adds_no_story(seeded):
    load_seed_content()
    assert NewsStoryPage.objects.count() == 1
    assert NewsIndexPage.objects.count() == 1


def test_a_story_shows_its_date_author_picture_summary_and_body(seeded, client):
    story = NewsStoryPage.objects.get()
    story.author = "Jane Smith, Programme Officer"
    story.save_revision().publish()
    soup = soup_of(client, STORY)
    assert soup.h1.get_text(strip=True) == story.title
    assert soup.find("time", datetime="2015-05-20").get_text() == "20 May 2015"
    assert "By Jane Smith, Programme Officer" in soup.find(class_="byline").get_text()
    assert story.summary in soup.find(class_="page-header__intro").get_text()
    assert "already there" in soup.find(class_="stream").get_text()


def test_a_story_links_what_it_is_about(seeded, client):
    aside = soup_of(client, STORY).find("aside", class_="story-facts")
    links = {a.get_text(strip=True): a["href"] for a in aside.find_all("a")}
    assert links["Nepal"] == "/our-work/projects/?country=nepal"
    assert links["Sexual and Reproductive Health"] == (
        "/our-work/projects/?theme=sexual-and-reproductive-health"
    )
    project = ProjectPage.objects.get(url_path__endswith=NEPAL_PROJECT)
    assert links[project.title] == NEPAL_PROJECT


def test_the_listing_is_newest_first_and_paged(seeded, client):
    add_stories(13)
    first = soup_of(client, NEWS)
    titles = [a.get_text(strip=True) for a in first.select("#results .card__title a")]
    assert len(titles) == 12
    assert titles[0] == "Generated story 012"
    assert "14 stories, showing 1–12" in first.find(id="results-heading").get_text()
    assert first.find("a", rel="next")["href"] == "?page=2#results"
    second = soup_of(client, f"{NEWS}?page=2")
    assert [a["href"] for a in second.select("#results .card__title a")][-1] == STORY
    # A page number out of range or malformed: the last or the first, never a 500.
    assert soup_of(client, f"{NEWS}?page=99").select("#results .card__title a")
    assert soup_of(client, f"{NEWS}?page=%00abc").select("#results .card__title a")


def test_drafts_and_private_stories_are_never_listed(seeded, client):
    add_story("A draft about Nepal", publish=False, countries=[Country.objects.get(slug="nepal")])
    private = add_story("A private story")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    for url in (NEWS, "/", "/news/feed/", "/our-work/projects/?country=nepal"):
        html = client.get(url).content.decode()
        assert "A draft about Nepal" not in html and "A private story" not in html, url


def test_a_story_shows_its_picture_with_its_alt_text(seeded, client, media_root):
    image = make_photo("Nurses")
    story = NewsStoryPage.objects.get()
    story.hero_image = image
    story.hero_image_alt = "Nurses and volunteers outside a clinic in Kathmandu"
    story.save_revision().publish()
    for url in (STORY, NEWS):
        img = soup_of(client, url).find("img", alt=story.hero_image_alt)
        assert img is not None, url


# --- Tagging: shown on the project, the publication and the filtered listing ----------------


def test_in_the_news_on_a_tagged_project_only(seeded, client):
    soup = soup_of(client, NEPAL_PROJECT)
    section = soup.find(id="in-the-news-heading").parent
    assert [a["href"] for a in section.select(".card__title a")] == [STORY]
    assert soup_of(client, TANZANIA_PROJECT).find(id="in-the-news-heading") is None


def test_in_the_news_on_a_tagged_publication(seeded, client):
    assert soup_of(client, EXPERTS).find(id="in-the-news-heading") is None
    experts = PublicationPage.objects.get(slug="experts-in-our-midst")
    add_story("Diaspora staff honoured", publications=[experts])
    section = soup_of(client, EXPERTS).find(id="in-the-news-heading").parent
    assert "Diaspora staff honoured" in section.get_text()


def test_latest_from_a_country_on_the_filtered_project_listing(seeded, client):
    tanzania = Country.objects.get(slug="tanzania")
    assert (
        soup_of(client, "/our-work/projects/?country=tanzania").find(id="listing-news-heading")
        is None
    )
    add_story("Mirembe nurses trained", countries=[tanzania])
    soup = soup_of(client, "/our-work/projects/?country=tanzania")
    heading = soup.find(id="listing-news-heading")
    assert heading.get_text(strip=True) == "Latest from Tanzania"
    assert "Mirembe nurses trained" in heading.parent.get_text()
    assert STORY not in str(heading.parent)  # the Nepal story is not about Tanzania
    # Nepal has the seeded story; the unfiltered listing shows no news box.
    nepal = soup_of(client, "/our-work/projects/?country=nepal").find(id="listing-news-heading")
    assert nepal.get_text(strip=True) == "Latest from Nepal"
    assert soup_of(client, "/our-work/projects/").find(id="listing-news-heading") is None


def test_latest_news_on_a_theme(seeded, client):
    theme = HealthTheme.objects.get(slug="mental-health")
    add_story("Mental health week", themes=[theme])
    heading = soup_of(client, "/our-work/projects/?theme=mental-health").find(
        id="listing-news-heading"
    )
    assert heading.get_text(strip=True) == "Latest news on Mental Health"


@pytest.mark.parametrize("query", ["country=atlantis", "country=%3Cb%3E", "theme=no-such-theme"])
def test_a_filter_that_names_nothing_shows_no_news_and_no_error(seeded, client, query):
    soup = soup_of(client, f"/our-work/projects/?{query}")
    assert soup.find(id="listing-news-heading") is None


def test_the_home_page_shows_the_latest_news(seeded, client):
    section = soup_of(client, "/").find(id="latest-news-heading").parent
    assert [a["href"] for a in section.select(".card__title a")] == [STORY]
    assert section.find("a", string="See all news")["href"] == NEWS
    add_stories(4)
    section = soup_of(client, "/").find(id="latest-news-heading").parent
    titles = [a.get_text(strip=True) for a in section.select(".card__title a")]
    assert titles == ["Generated story 003", "Generated story 002", "Generated story 001"]


# --- Search, sitemap, feed, JSON-LD ----------------------------------------------------------


def test_site_search_finds_stories_and_files_them_under_news(seeded, client):
    html = client.get("/search/", {"q": "earthquake"}).content.decode()
    assert STORY in html
    soup = BeautifulSoup(html, "html.parser")
    kinds = {a.get_text(strip=True) for a in soup.select(".search-kinds a")}
    assert "News (1)" in kinds
    card = soup.find("a", href=STORY).find_parent("li")
    assert "News · 20 May 2015" in card.find(class_="card__kicker").get_text(" ", strip=True)
    only_news = client.get("/search/", {"q": "nepal", "kind": "news"}).content.decode()
    assert re.findall(r'<h3 class="card__title"><a href="([^"]+)"', only_news) == [STORY]


def test_a_story_is_found_by_its_countrys_name_after_a_rename(seeded, client):
    nepal = Country.objects.get(slug="nepal")
    nepal.name = "Federal Democratic Republic of Nepal"
    nepal.save()
    html = client.get("/search/", {"q": "federal democratic", "kind": "news"}).content.decode()
    assert STORY in html


def test_the_sitemap_lists_the_listing_and_stories(seeded, client):
    locs = set(sitemap_entries(client))
    assert any(loc.endswith(NEWS) for loc in locs)
    assert any(loc.endswith(STORY) for loc in locs)


def test_the_rss_feed(seeded, client):
    add_story("Newer story", date=datetime.date(2026, 11, 2))
    response = client.get("/news/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own response
    assert channel.find("title").text == "THET news"
    assert channel.find("link").text.endswith(NEWS)
    items = channel.findall("item")
    assert [item.find("title").text for item in items][:2] == [
        "Newer story",
        NewsStoryPage.objects.get(slug=STORY.split("/")[2]).title,
    ]
    seeded_item = items[1]
    assert seeded_item.find("link").text.startswith("http")
    assert seeded_item.find("link").text.endswith(STORY)
    assert "volunteers" in seeded_item.find("description").text
    assert {c.text for c in seeded_item.findall("category")} == {
        "Nepal",
        "Sexual and Reproductive Health",
    }


@pytest.mark.parametrize("url", [NEWS, STORY, "/"])
def test_the_feed_is_advertised(seeded, client, url):
    link = soup_of(client, url).find(
        "link", rel="alternate", type="application/rss+xml", title="THET news"
    )
    assert link["href"] == "/news/feed/"


def test_a_story_has_news_article_json_ld(seeded, client):
    story = NewsStoryPage.objects.get()
    data = [d for d in json_ld(soup_of(client, STORY)) if d.get("@type") == "NewsArticle"]
    assert len(data) == 1
    article = data[0]
    assert article["headline"] == story.title
    assert article["datePublished"] == "2015-05-20"
    assert article["url"].endswith(STORY) and article["url"].startswith("http")
    assert article["mainEntityOfPage"]["@id"] == article["url"]
    assert article["author"][0]["@type"] == "Organization"  # no author: THET
    assert article["image"].startswith("http")
    assert article["description"] == story.summary


def test_json_ld_cannot_be_broken_out_of(seeded, client):
    add_story("Closing </script><script>alert(1)</script> tags")
    html = client.get(NEWS + "closing-script-script-alert-1-script-tags/").content.decode()
    assert "<script>alert(1)" not in html


# --- Editors ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestEditorsCanPublishAStory(WagtailPageTestCase):
    def setUp(self):
        load_seed_content()
        self.login()

    def test_tree_shape(self):
        self.assertAllowedParentPageTypes(NewsIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsStoryPage})
        self.assertAllowedParentPageTypes(NewsStoryPage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsStoryPage, set())

    def test_create_a_tagged_story_through_the_admin(self):
        index = NewsIndexPage.objects.get()
        form = self.client.get(f"/admin/pages/add/news/newsstorypage/{index.pk}/")
        assert form.status_code == 200
        assert "What it is about" in form.content.decode()
        project = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
        tanzania = Country.objects.get(slug="tanzania")
        publication = PublicationPage.objects.get(slug="experts-in-our-midst")
        data = nested_form_data(
            {
                "title": "Nurses in Dodoma",
                "slug": "nurses-in-dodoma",
                "publication_date": "2026-10-01",
                "author": "A. Writer",
                "summary": "Nurses completed their training.",
                "body": streamfield([("paragraph", rich_text("<p>They did.</p>"))]),
            }
        )
        # The type-to-pick fields post the chosen items as JSON.
        data["projects"] = json.dumps([{"pk": project.pk}])
        data["countries"] = json.dumps([{"pk": tanzania.pk}])
        data["publications"] = json.dumps([{"pk": publication.pk}])
        data["action-publish"] = "publish"
        self.assertCanCreate(index, NewsStoryPage, data)
        story = NewsStoryPage.objects.get(slug="nurses-in-dodoma")
        assert story.live
        assert list(story.projects.all()) == [project.specific]
        html = self.client.get(TANZANIA_PROJECT).content.decode()
        assert "Nurses in Dodoma" in html


# --- Caches and query counts ------------------------------------------------------------------


def test_publishing_a_story_shows_at_once_where_it_appears(seeded, client, settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.FRAGMENT_CACHE_ENABLED = True
    urls = ["/", NEWS, TANZANIA_PROJECT, "/our-work/projects/?country=tanzania", "/news/feed/"]
    for url in urls:
        client.get(url)
        assert client.get(url).status_code == 200
    add_story(
        "Fresh from Dodoma",
        projects=[ProjectPage.objects.get(slug="violence-aggression-management-tanzania")],
        countries=[Country.objects.get(slug="tanzania")],
    )
    for url in urls:
        assert "Fresh from Dodoma" in client.get(url).content.decode(), url


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


NEWS_PAGES = [NEWS, STORY, "/", NEPAL_PROJECT, "/our-work/projects/?country=nepal", EXPERTS]


def test_news_query_counts_stay_flat(seeded, client, full_render):
    """A full render of each page that shows stories costs the same with many more stories
    (tagged with the same project, country and publication) and projects."""
    nepal = Country.objects.get(slug="nepal")
    project = ProjectPage.objects.get(url_path__endswith=NEPAL_PROJECT)
    publication = PublicationPage.objects.get(slug="experts-in-our-midst")
    add_story("First tagged", projects=[project], countries=[nepal], publications=[publication])

    def counts():
        for url in NEWS_PAGES:
            client.get(url)  # Wagtail's per-process caches, first
        return {url: count_queries(client, url) for url in NEWS_PAGES}

    before = counts()
    add_stories(15, projects=[project], countries=[nepal], publications=[publication])
    add_projects_and_publications(projects=10, publications=5)
    after = counts()
    print(after)  # shown with -s
    assert after == before
    assert max(after.values()) <= 15, after
