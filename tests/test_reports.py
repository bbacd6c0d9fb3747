"""Publications published as web pages: full text, contents, notes, citation, search.

A publication's full text (sections of ``pages/blocks.py``'s report blocks) is read by
``pages/reports.py``; these tests build one and read the page as a visitor does.
"""

import datetime
import json
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from pages.blocks import REPORT_TEXT_FEATURES
from pages.reports import FootnoteLinker, outline
from policy.models import PublicationIndexPage, PublicationPage, PublicationType
from tests.test_roles import add_publication_url, as_user, workflow_action

pytestmark = pytest.mark.django_db

TABLE = {
    "data": [["Country", "Health workers trained"], ["Uganda", "3,400"], ["Zambia", "2,100"]],
    "first_row_is_table_header": True,
    "first_col_is_header": False,
    "table_caption": "Health workers trained by country",
}


def report_full_text(image):
    return [
        {
            "type": "section",
            "value": {
                "heading": "Why the workforce matters",
                "anchor": "",
                "content": [
                    {
                        "type": "paragraph",
                        "value": "<p>Doctors left the region<sup>1</sup> and nurses "
                        "followed<sup>2</sup>, as counted before<sup>1</sup>.</p>",
                    },
                    {"type": "subheading", "value": {"text": "The numbers", "anchor": ""}},
                    {"type": "table", "value": TABLE},
                    {
                        "type": "figure",
                        "value": {
                            "image": image.pk,
                            "alt_text": "Training grew every year from 2015 to 2020.",
                            "caption": "Health workers trained each year",
                            "source": "THET programme data",
                        },
                    },
                ],
            },
        },
        {
            "type": "section",
            "value": {
                "heading": "What we ask",
                "anchor": "our-asks",
                "content": [
                    {"type": "paragraph", "value": "<p>Fund midwifery tutors in every region.</p>"},
                    {
                        "type": "key_asks",
                        "value": {"heading": "Our key asks", "asks": ["Train more midwives."]},
                    },
                ],
            },
        },
    ]


NOTES = [
    {"type": "note", "value": "<p>NHS workforce statistics, March 2024.</p>"},
    {"type": "note", "value": "<p>World Health Organization, 2023.</p>"},
]


@pytest.fixture
def figure_image():
    return get_image_model().objects.create(
        title="Training chart", file=get_test_image_file("chart.png", size=(800, 450))
    )


@pytest.fixture
def report(figure_image):
    index = PublicationIndexPage.objects.get()
    page = PublicationPage(
        title="Workforce Futures",
        slug="workforce-futures",
        publication_type=PublicationType.objects.get(slug="report"),
        publication_date=datetime.date(2025, 3, 12),
        summary="How health partnerships keep health workers in their posts.",
        authors="Ada Okafor, Ben Hale",
        full_text=report_full_text(figure_image),
        footnotes=NOTES,
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content.decode(), "html.parser")


def test_contents_link_every_section_and_sub_section(client, report):
    soup = soup_of(client, report.url)
    nav = soup.find("nav", attrs={"aria-labelledby": "contents-heading"})
    targets = [a["href"] for a in nav.find_all("a")]
    assert targets[:3] == ["#why-the-workforce-matters", "#the-numbers", "#our-asks"]
    for target in targets:
        assert len(soup.find_all(id=target[1:])) == 1, target
    # Each section heading carries its anchor; the sub-heading is an h3 inside it.
    assert soup.find(id="why-the-workforce-matters").name == "h2"
    assert soup.find(id="the-numbers").name == "h3"
    assert soup.find(id="our-asks").get_text() == "What we ask"


def test_footnotes_link_to_the_note_and_back(client, report):
    soup = soup_of(client, report.url)
    refs = soup.select("sup.note-ref a")
    assert [a["href"] for a in refs] == ["#note-1", "#note-2", "#note-1"]
    # The first mark of each note is where its note links back to; no id is used twice.
    assert [a.get("id") for a in refs] == ["note-ref-1", "note-ref-2", None]
    for number in (1, 2):
        note = soup.find(id=f"note-{number}")
        assert note.name == "li"
        assert note.find("a", href=f"#note-ref-{number}") is not None
    assert "World Health Organization" in soup.find(id="note-2").get_text()


def test_table_and_figure_are_accessible(client, report):
    soup = soup_of(client, report.url)
    table = soup.find("table")
    assert table.caption.get_text(strip=True) == TABLE["table_caption"]
    assert [th["scope"] for th in table.find_all("th")] == ["col", "col"]
    figure = soup.find("figure", class_="report-figure")
    assert figure.find("img")["alt"] == "Training grew every year from 2015 to 2020."
    assert "Source: THET programme data" in figure.figcaption.get_text()


def test_reading_time_and_key_asks_in_the_section(client, report):
    soup = soup_of(client, report.url)
    text = " ".join(soup.get_text(" ").split())
    assert "About 1 minute to read" in text
    asks = soup.find("section", class_="key-asks")
    assert asks.find("h3").get_text() == "Our key asks"  # under the section's h2
    assert asks.find_parent("section", class_="report-section") is not None


def citation_meta(soup) -> dict[str, list[str]]:
    meta = {}
    for tag in soup.find_all("meta", attrs={"name": re.compile("^citation_")}):
        meta.setdefault(tag["name"], []).append(tag["content"])
    return meta


def test_cite_box_ris_and_bibtex_agree_with_the_citation_metadata(client, report):
    soup = soup_of(client, report.url)
    meta = citation_meta(soup)
    box = soup.find("section", id="cite")
    assert box.h2.get_text() == "Cite this report"
    text = box.find(class_="cite__text").get_text()
    assert "Ada Okafor and Ben Hale (2025) Workforce Futures." in text
    assert "http://" in text and report.url in text

    ris = client.get(report.url + "cite.ris")
    assert ris.status_code == 200
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    assert "attachment" in ris["Content-Disposition"]
    fields = {}
    for line in ris.content.decode().splitlines():
        tag, _, value = line.partition("  - ")
        fields.setdefault(tag, []).append(value)
    assert fields["TY"] == ["RPRT"]
    assert fields["TI"] == meta["citation_title"]
    assert fields["AU"] == meta["citation_author"]
    assert fields["DA"] == meta["citation_publication_date"]
    assert fields["PB"] == meta["citation_technical_report_institution"]
    assert fields["LA"] == meta["citation_language"]

    bib = client.get(report.url + "cite.bib")
    assert bib.status_code == 200
    assert bib["Content-Type"].startswith("application/x-bibtex")
    body = bib.content.decode()
    assert body.startswith("@techreport{okafor2025workforce,")
    entries = dict(re.findall(r"^\s+(\w+) = \{(.*)\},?$", body, re.MULTILINE))
    assert entries["title"] == "{" + meta["citation_title"][0] + "}"
    assert entries["author"] == " and ".join(meta["citation_author"])
    assert entries["date"] == meta["citation_publication_date"][0].replace("/", "-")
    assert (
        entries["institution"].replace("\\&", "&")
        == (meta["citation_technical_report_institution"][0])
    )
    assert entries["language"] == meta["citation_language"][0]


def test_citation_files_escape_what_an_editor_types(client, report):
    report.title = "Costs & {benefits}\r\nTY  - JOUR 100%"
    report.authors = ""
    report.save_revision().publish()
    ris = client.get(report.url + "cite.ris").content.decode()
    assert [line for line in ris.splitlines() if line.startswith("TY")] == ["TY  - RPRT"]
    bib = client.get(report.url + "cite.bib").content.decode()
    assert r"Costs \& \{benefits\} TY - JOUR 100\%" in bib
    assert "author = {{THET}}" in bib or "author = {{" in bib  # a body, not two names


def test_citation_files_only_in_known_formats_and_only_when_live(client, report):
    assert client.get(report.url + "cite.xml").status_code == 404
    report.unpublish()
    assert client.get(report.url + "cite.ris").status_code == 404


def test_structured_data_and_feed_carry_the_full_text(client, report):
    soup = soup_of(client, report.url)
    data = [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]
    article = next(d for d in data if d.get("@type") == "Report")
    assert "Fund midwifery tutors in every region." in article["articleBody"]
    assert [part["url"].split("#")[1] for part in article["hasPart"]] == [
        "why-the-workforce-matters",
        "our-asks",
    ]
    feed = client.get("/publications/feed/").content.decode()
    assert "Fund midwifery tutors in every region." in feed


def test_search_links_a_match_inside_a_section_to_the_section(client, report):
    soup = soup_of(client, "/search/?q=midwifery+tutors")
    link = soup.find("a", string="Workforce Futures")
    assert link["href"] == report.url + "#our-asks"
    assert "In the section “What we ask”" in soup.get_text()
    # Found by its title: the page as a whole.
    soup = soup_of(client, "/search/?q=workforce+futures")
    assert soup.find("a", string="Workforce Futures")["href"] == report.url


def test_print_stylesheet_hides_navigation_and_breaks_before_sections():
    css = open("static/css/print.css").read()
    assert re.search(r"(^|\n)nav, \.toc[^{]*\{ display: none !important; \}", css)
    assert re.search(r"\.report-section \+ \.report-section[^{]*\{[^}]*break-before: page", css)
    assert 'content: " (" attr(href) ")"' in css


def test_anchors_stay_unique_and_stable():
    class Block:
        def __init__(self, block_type, value):
            self.block_type, self.value = block_type, value

    def section(heading, anchor="", content=()):
        return Block("section", {"heading": heading, "anchor": anchor, "content": list(content)})

    sections = outline(
        [
            section("Notes"),  # would clash with the notes list's own id
            section("2024 in review"),
            section("2024 in review"),
            section("Contents", content=[Block("subheading", {"text": "Note 1", "anchor": ""})]),
        ]
    )
    anchors = [s.anchor for s in sections]
    assert anchors == ["notes-2", "s-2024-in-review", "s-2024-in-review-2", "contents-2"]
    assert sections[3].subsections[0].anchor == "note-1-2"
    assert [s.anchor for s in outline([section("Notes")])] == ["notes-2"]  # same each time


def test_footnote_marks_without_a_note_stay_text():
    linker = FootnoteLinker(1)
    html = linker.link("<p>a<sup>1</sup> b<sup>7</sup> c<sup>x</sup></p>")
    assert 'href="#note-1"' in html and "<sup>7</sup>" in html and "<sup>x</sup>" in html


# --- Sign-off: the full text is held with the page ------------------------------------


def report_form(**extra):
    section = {
        "heading": "What the cuts meant",
        "anchor": "",
        "content": streamfield(
            [
                (
                    "paragraph",
                    rich_text(
                        "<p>Training stopped overnight<sup>1</sup>.</p>",
                        features=REPORT_TEXT_FEATURES,
                    ),
                )
            ]
        ),
    }
    data = nested_form_data(
        {
            "title": "Cuts briefing",
            "slug": "cuts-briefing",
            "publication_type": PublicationType.objects.get(slug="briefing").pk,
            "publication_date": "2025-01-15",
            "summary": "What the 2021 cuts meant for training.",
            "body": streamfield([]),
            "full_text": streamfield([("section", section)]),
            "footnotes": streamfield([("note", rich_text("<p>THET accounts, 2022.</p>"))]),
            **extra,
        }
    )
    data["action-submit"] = "1"
    return data


def test_full_text_waits_for_sign_off(client, policy, moderator):
    response = as_user(client, policy).post(add_publication_url(), report_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    page = PublicationPage.objects.get(slug="cuts-briefing")
    assert not page.live
    client.logout()
    assert client.get("/publications/cuts-briefing/").status_code == 404
    assert "Training stopped overnight" not in client.get("/search/?q=overnight").content.decode()
    assert workflow_action(client, moderator, page, "approve").status_code == 302
    client.logout()
    soup = soup_of(client, "/publications/cuts-briefing/")
    assert soup.find(id="what-the-cuts-meant").name == "h2"
    assert soup.select_one("sup.note-ref a")["href"] == "#note-1"
    assert soup.find(id="note-1").find("a", href="#note-ref-1") is not None


def test_a_table_without_caption_or_header_is_refused(client, policy):
    section = {
        "heading": "Figures",
        "anchor": "",
        "content": streamfield(
            [("table", {**TABLE, "table_caption": "", "first_row_is_table_header": False})]
        ),
    }
    data = report_form(full_text=streamfield([("section", section)]))
    # The table block posts its value as one JSON field.
    for key in [k for k in data if k.startswith("full_text-0-value-content-0-value")]:
        del data[key]
    data["full_text-0-value-content-0-value"] = json.dumps(
        {**TABLE, "table_caption": "", "first_row_is_table_header": False}
    )
    response = as_user(client, policy).post(add_publication_url(), data)
    assert response.status_code == 200
    assert not PublicationPage.objects.filter(slug="cuts-briefing").exists()


def test_the_seeded_briefing_is_a_full_report(client):
    page = PublicationPage.objects.get(slug="general-election-2024-briefing")
    soup = soup_of(client, page.url)
    nav = soup.find("nav", attrs={"aria-labelledby": "contents-heading"})
    headings = [a.get_text() for a in nav.find_all("a")]
    assert "The next government's opportunity" in headings
    assert "It's time to #HEALtogether" in headings
    asks = soup.find("section", class_="key-asks")
    assert len(asks.find_all("li")) == 3
    figures = [dd.get_text() for dd in soup.select(".statistic__figure")]
    assert {"1 in 5", "£48 million", "78,000", "430,000"} <= set(figures)
    assert soup.find(id="cite") is not None
    assert reverse("search")  # the page is reachable from search too:
    result = soup_of(client, "/search/?q=diaspora+heritage")
    assert result.find("a", href=re.compile(r"general-election-2024-briefing/#")) is not None


def test_bracketed_numbers_are_footnote_marks_outside_links():
    linker = FootnoteLinker(2)
    html = linker.link('<p>cut[1] <a href="/x?a[2]=1">see [2]</a> then[2] and [3]</p>')
    assert html.count('href="#note-1"') == 1 and html.count('href="#note-2"') == 1
    assert '<a href="/x?a[2]=1">see [2]</a>' in html  # a link keeps its words
    assert "[3]" in html  # no third note
