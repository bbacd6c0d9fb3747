"""A charity's front door: Get involved, the contact form and the organisation's details.

The contact form is Wagtail's form builder: a message is stored and listed for the comms
team, a notification goes to the configured address, and spam (a filled honeypot, a flood
of posts) stores nothing. Every request here is a real HTTP request.
"""

import logging
import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from wagtail.contrib.forms.models import FormSubmission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from pages import contact
from pages.models import ContactPage, HomePage, SiteFooter
from pages.templatetags.site_tags import summary_words

pytestmark = pytest.mark.django_db

CONTACT = "/contact/"
GET_INVOLVED = "/get-involved/"
START = "/get-involved/start-a-health-partnership/"


@pytest.fixture
def contact_page():
    return ContactPage.objects.get()


@pytest.fixture
def notify(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CONTACT_NOTIFY_EMAIL = "enquiries@example.org"
    return settings


def message(**overrides):
    data = {
        "your_name": "Amina Okafor",
        "email_address": "amina@example.org",
        "organisation": "St Elsewhere NHS Trust",
        "your_message": "Our hospital would like to join a health partnership.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def soup(response):
    html = response if isinstance(response, str) else response.content.decode()
    return BeautifulSoup(html, "html.parser")


# --- The pages -----------------------------------------------------------------------


def test_get_involved_pages_say_what_a_nurse_needs(client):
    html = " ".join(soup(client.get(START)).find("main").get_text(" ").split())
    for heading in (
        "Who can take part",
        "What THET offers",
        "The Principles of Partnership",
        "How to begin",
    ):
        assert heading in html
    assert "eight Principles of Partnership" in html
    main = soup(client.get(START)).find("main")
    assert main.find("a", href=CONTACT), "how to begin links to the contact form"
    section = soup(client.get(GET_INVOLVED)).find("main")
    assert section.find("a", href=START) and section.find("a", href=CONTACT)


def test_contact_form_has_labelled_fields_consent_and_a_hidden_trap(client):
    page = soup(client.get(CONTACT))
    form = page.find("form", class_="contact-form")
    assert form["method"] == "post"
    for name in ("your_name", "email_address", "organisation", "your_message", "consent"):
        field = form.find(attrs={"name": name})
        assert field is not None, name
        assert form.find("label", attrs={"for": field["id"]}), f"{name} has no label"
    assert "privacy notice" in form.find("label", attrs={"for": "id_consent"}).get_text()
    trap = form.find(attrs={"name": "website"})
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    assert "contact-form__trap" in trap.parent["class"]


def test_linked_from_main_menu_footer_and_home_page(client):
    home = soup(client.get("/"))
    menu = home.find("nav", attrs={"aria-label": "Main"})
    footer = home.find("footer")
    for path in (GET_INVOLVED, CONTACT):
        assert menu.find("a", href=path), f"the main menu lacks {path}"
        assert footer.find("a", href=path), f"the footer lacks {path}"
    for path in (START, CONTACT):
        assert home.find("main").find("a", href=path), f"the home page's body lacks {path}"


@pytest.mark.parametrize(("query", "path"), [("contact", CONTACT), ("join", GET_INVOLVED)])
def test_search_finds_contact_and_joining(client, query, path):
    results = soup(client.get(f"/search/?q={query}")).find("main")
    assert results.find("a", href=path), f"searching {query!r} does not find {path}"


# --- Sending a message ---------------------------------------------------------------


def test_a_message_is_stored_and_the_team_notified(client, notify, contact_page):
    response = client.post(CONTACT, message())
    assert response.status_code == 200
    assert "Message sent" in response.content.decode()
    submission = FormSubmission.objects.get(page=contact_page)
    data = submission.get_data()
    assert data["your_message"] == "Our hospital would like to join a health partnership."
    assert data["consent"] is True
    assert "website" not in data
    (email,) = mail.outbox
    assert email.to == ["enquiries@example.org"]
    assert email.reply_to == ["amina@example.org"]
    assert "Our hospital would like to join" in email.body
    assert "Leave this box empty" not in email.body


def test_the_page_own_address_wins_over_the_setting(client, notify, contact_page):
    contact_page.to_address = "partnerships@example.org, comms@example.org"
    contact_page.save_revision().publish()
    assert client.post(CONTACT, message()).status_code == 200
    assert mail.outbox[0].to == ["partnerships@example.org", "comms@example.org"]


def test_a_mail_failure_loses_nothing_and_is_logged(client, settings, contact_page, caplog):
    settings.EMAIL_BACKEND = "tests.test_contact.FailingBackend"
    settings.CONTACT_NOTIFY_EMAIL = "enquiries@example.org"
    with caplog.at_level(logging.ERROR, logger="pages.models"):
        response = client.post(CONTACT, message())
    assert response.status_code == 200
    assert FormSubmission.objects.filter(page=contact_page).count() == 1
    assert any("could not be sent" in r.getMessage() for r in caplog.records)


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_without_an_address_the_message_is_stored_and_nobody_mailed(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CONTACT_NOTIFY_EMAIL = ""
    assert client.post(CONTACT, message()).status_code == 200
    assert FormSubmission.objects.count() == 1
    assert mail.outbox == []


# --- Refused -------------------------------------------------------------------------


def test_a_bot_filling_the_honeypot_stores_nothing(client, notify):
    response = client.post(CONTACT, message(website="https://spam.example/"))
    assert response.status_code == 400
    assert FormSubmission.objects.count() == 0
    assert mail.outbox == []
    assert "was not sent" in response.content.decode()


def test_twenty_posts_a_minute_store_no_more_than_the_limit(client, notify):
    limit = notify.CONTACT_RATE_LIMIT
    statuses = [client.post(CONTACT, message()).status_code for _ in range(20)]
    assert statuses == [200] * limit + [429] * (20 - limit)
    assert FormSubmission.objects.count() == limit
    assert len(mail.outbox) == limit
    refused = client.post(CONTACT, message())
    assert "wait a few minutes" in refused.content.decode()


def test_a_flood_of_bot_posts_stores_nothing(client, notify):
    statuses = [client.post(CONTACT, message(website="buy-now")).status_code for _ in range(20)]
    assert set(statuses) == {400, 429} and statuses.count(429) == 20 - notify.CONTACT_RATE_LIMIT
    assert FormSubmission.objects.count() == 0 and mail.outbox == []


def test_another_visitor_is_not_held_back(client, notify):
    for _ in range(notify.CONTACT_RATE_LIMIT + 1):
        client.post(CONTACT, message(), REMOTE_ADDR="203.0.113.9")
    assert client.post(CONTACT, message(), REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_count_is_in_the_shared_cache_under_no_raw_address(client, notify):
    client.post(CONTACT, message(), REMOTE_ADDR="203.0.113.9")
    request = RequestFactory().post(CONTACT, REMOTE_ADDR="203.0.113.9")
    key = contact.visitor_key(request)
    assert "203.0.113.9" not in key
    assert cache.get(key) == 1  # Django's default cache: Redis in production, every process


def test_a_cache_outage_lets_messages_through(client, notify, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(contact.cache, "incr", down)
    assert client.post(CONTACT, message()).status_code == 200
    assert FormSubmission.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"consent": None},
        {"email_address": "not-an-address"},
        {"your_message": ""},
        {"your_message": "x" * (contact.MESSAGE_MAX_LENGTH + 1)},
        {"your_name": "y" * 10_000},
        {"your_message": "hello\x00world"},
        {"website": "z" * 100_000},
    ],
    ids=["no-consent", "bad-email", "empty", "too-long", "huge-name", "nul", "huge-trap"],
)
def test_bad_input_gets_a_message_not_a_500(client, notify, overrides):
    response = client.post(CONTACT, message(**overrides))
    assert response.status_code == 400
    assert "Your message was not sent" in response.content.decode()
    assert FormSubmission.objects.count() == 0 and mail.outbox == []


def test_the_form_page_is_never_kept_in_the_page_cache(client, settings):
    settings.PAGE_CACHE_ENABLED = True
    client.get(CONTACT)
    assert client.get(CONTACT).headers.get("X-Page-Cache") != "hit"


# --- The comms team sees the messages; nobody else --------------------------------------


def test_comms_editors_see_the_messages(client, comms, notify, contact_page):
    client.post(CONTACT, message())
    client.force_login(comms)
    forms = client.get("/admin/forms/")
    assert forms.status_code == 200 and "Contact" in forms.content.decode()
    listing = client.get(f"/admin/forms/submissions/{contact_page.pk}/")
    assert listing.status_code == 200
    assert "Our hospital would like to join" in listing.content.decode()


@pytest.mark.parametrize("role", ["policy", "moderator"])
def test_other_roles_do_not_see_the_messages(client, request, role, notify, contact_page):
    client.post(CONTACT, message())
    client.force_login(request.getfixturevalue(role))
    listing = client.get(f"/admin/forms/submissions/{contact_page.pk}/")
    assert listing.status_code in (302, 403)
    assert "Our hospital would like to join" not in listing.content.decode()
    forms = client.get("/admin/forms/")
    assert "Our hospital" not in forms.content.decode()
    assert f"/admin/forms/submissions/{contact_page.pk}/" not in forms.content.decode()


def test_other_roles_cannot_delete_messages(client, policy, notify, contact_page):
    client.post(CONTACT, message())
    submission = FormSubmission.objects.get()
    client.force_login(policy)
    response = client.post(
        f"/admin/forms/submissions/{contact_page.pk}/delete/?selected-submissions={submission.pk}"
    )
    assert response.status_code in (302, 403)
    assert FormSubmission.objects.filter(pk=submission.pk).exists()


# --- The footer and the organisation's details ---------------------------------------------


def test_footer_links_the_statements_and_says_no_tracking_cookies(client):
    footer = soup(client.get("/")).find("footer")
    privacy = footer.find("a", string="Privacy notice")
    accessibility = footer.find("a", string="Accessibility statement")
    assert privacy and accessibility
    text = " ".join(soup(client.get(privacy["href"])).find("main").get_text(" ").split())
    assert "no tracking" in text
    assert client.get(accessibility["href"]).status_code == 200


def test_nothing_the_seeds_do_not_give_is_invented(client):
    footer = SiteFooter.objects.get()
    assert footer.charity_number == footer.company_number == footer.address == ""
    assert footer.email == "" and not footer.social_links
    html = soup(client.get("/")).find("footer").get_text(" ")
    assert "charity number" not in html.lower()


def test_missing_details_are_listed_for_comms(client, comms, policy):
    client.force_login(comms)
    html = client.get("/admin/").content.decode()
    assert "Organisation details missing" in html
    for label in ("Registered charity number", "Postal address", "Donation page address"):
        assert label in html
    client.force_login(policy)
    assert "Organisation details missing" not in client.get("/admin/").content.decode()


def test_filled_details_leave_the_list(client, comms):
    footer = SiteFooter.objects.get()
    for name, _label in SiteFooter.EXPECTED_DETAILS:
        if name == "social_links":
            footer.social_links = [
                {"type": "link", "value": {"platform": "linkedin", "url": "https://x.example/"}}
            ]
        elif not getattr(footer, name):
            setattr(footer, name, "https://example.org/" if name.endswith("url") else "1")
    footer.email = "info@example.org"
    footer.save()
    assert footer.missing_details() == []


def test_social_links_have_accessible_names(client):
    footer = SiteFooter.objects.get()
    footer.social_links = [
        {"type": "link", "value": {"platform": "linkedin", "url": "https://www.linkedin.com/x"}}
    ]
    footer.save()
    link = soup(client.get("/")).find("nav", attrs={"aria-label": "Social media"}).find("a")
    assert " ".join(link.get_text(" ").split()) == "THET on LinkedIn"


# --- Newsletter and donate -------------------------------------------------------------


def test_newsletter_and_donate_hidden_until_configured(client):
    html = client.get("/").content.decode()
    assert "Donate" not in html and "newsletter" not in html.lower()


def test_comms_configure_newsletter_and_donate_through_the_admin(client, comms):
    footer = SiteFooter.objects.get()
    client.force_login(comms)
    url = f"/admin/settings/pages/sitefooter/{footer.site_id}/"
    assert client.get(url).status_code == 200
    data = nested_form_data(
        {
            "organisation_name": footer.organisation_name,
            "address": "",
            "charity_number": "",
            "company_number": "",
            "email": "",
            "social_links": streamfield([]),
            "links": streamfield(
                [
                    ("link", {"page": block.value["page"].pk, "url": "", "label": ""})
                    for block in footer.links
                ]
            ),
            "privacy_page": footer.privacy_page_id,
            "accessibility_page": footer.accessibility_page_id,
        }
    )
    data["newsletter_url"] = "https://newsletter.example.org/thet"
    data["donate_url"] = "https://donate.example.org/thet"
    before_csp = client.get("/").headers["Content-Security-Policy"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    home = client.get("/")
    page = soup(home)
    donate = page.find("nav", attrs={"aria-label": "Main"}).find("a", string="Donate")
    assert donate["href"] == "https://donate.example.org/thet"
    newsletter = page.find("footer").find("a", string="Sign up to our newsletter")
    assert newsletter["href"] == "https://newsletter.example.org/thet"
    assert home.headers["Content-Security-Policy"] == before_csp
    assert not page.find("script", src=re.compile("example.org"))


# --- One story in the figures ----------------------------------------------------------


def figures(html, heading=None):
    found = []
    for section in soup(html).select("section.statistics"):
        title = section.find(["h2", "h3"])
        if heading is not None and (title is None or title.get_text(strip=True) != heading):
            continue
        for item in section.select(".statistic"):
            when = item.select_one(".statistic__when")
            found.append(
                (
                    item.select_one(".statistic__figure").get_text(strip=True),
                    item.select_one(".statistic__label").get_text(strip=True),
                    when.get_text(" ", strip=True) if when else "",
                )
            )
    return found


def test_home_and_about_never_contradict(client):
    home = figures(client.get("/").content.decode())
    about = client.get("/about/").content.decode()
    assert home, "the home page shows its figures"
    assert home == figures(about, "Our reach")
    for figure, label, when in home:
        assert when == "Over the ten years to June 2024; as of June 2024", (figure, label)
    earlier = figures(about, "Our reach in earlier years")
    assert ("74,000+", "health workers reached by THET", "Over six years") in earlier
    home_text = soup(client.get("/").content.decode()).find("main").get_text(" ")
    assert "74,000" not in home_text and "34 countries" not in home_text


def test_every_home_figure_says_its_period_and_date(client):
    home = HomePage.objects.get()
    for block in home.statistics:
        assert block.value["period"] and block.value["as_of"], block.value["figure"]


# --- Card summaries --------------------------------------------------------------------

LONG = (
    "THET, soon to be renamed Global Health Partnerships, is a UK-based international "
    "organisation that works to train health professionals across Africa, parts of Asia, "
    "and most recently north-west Syria. Since 1988 it has linked hospitals and clinics in "
    "the UK with their counterparts overseas, building partnerships of equals."
)


def test_summaries_end_at_a_sentence_or_phrase():
    assert summary_words(LONG, 40) == LONG.split(" Since")[0]
    cut = summary_words(LONG.replace(".", ","), 40)
    assert cut.endswith(",…") is False and cut.endswith("…")
    assert not re.search(r"\b(of|the|and|to|in)…$", cut)
    assert summary_words("short text", 40) == "short text"
    assert summary_words("", 40) == ""


def test_a_card_shows_a_whole_sentence(client):
    page = ContactPage.objects.get()
    page.introduction = LONG
    page.save_revision().publish()
    featured = soup(client.get(GET_INVOLVED)).find("section", class_="featured")
    card = featured.find("a", href=CONTACT).find_parent("li")
    text = card.find("p").get_text(strip=True)
    assert text == LONG.split(" Since")[0]


def test_comms_editor_edits_the_contact_page_in_the_admin(client, comms, contact_page):
    fields = list(contact_page.form_fields.all())
    client.force_login(comms)
    url = f"/admin/pages/{contact_page.pk}/edit/"
    assert client.get(url).status_code == 200
    data = nested_form_data(
        {
            "title": contact_page.title,
            "slug": contact_page.slug,
            "introduction": contact_page.introduction,
            "body": streamfield([]),
            "form_fields": inline_formset(
                [
                    {
                        "id": field.pk,
                        "label": field.label,
                        "field_type": field.field_type,
                        "required": "on" if field.required else "",
                        "choices": "",
                        "default_value": "",
                        "help_text": field.help_text,
                    }
                    for field in fields
                ],
                initial=len(fields),
                min=1,
            ),
            "consent_text": contact_page.consent_text,
            "thank_you_text": contact_page.thank_you_text,
            "to_address": "partnerships@example.org",
            "from_address": "",
            "subject": contact_page.subject,
            "seo_title": "",
            "search_description": "",
            "show_in_menus": "on",
            "action-publish": "publish",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    contact_page.refresh_from_db()
    assert contact_page.to_address == "partnerships@example.org"


def test_the_policy_team_cannot_edit_the_contact_page(client, policy, contact_page):
    client.force_login(policy)
    url = f"/admin/pages/{contact_page.pk}/edit/"
    assert client.get(url).status_code in (302, 403)
    response = client.post(url, {"title": "Hacked", "to_address": "thief@example.org"})
    assert response.status_code in (302, 403)
    contact_page.refresh_from_db()
    assert contact_page.to_address == "" and contact_page.title == "Contact"
