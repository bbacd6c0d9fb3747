"""The editor's guide under "Help", and the popular search terms report."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits

from pages.help import GUIDE
from tests.test_roles import as_user

pytestmark = pytest.mark.django_db

HOW_TOS = (
    "Add a project",
    "Import projects from a spreadsheet",
    "Launch a report through sign-off",
    "Pin a search result",
    "Change the menu or the footer",
    "Restore an earlier version",
)


def sidebar(client):
    return client.get(reverse("wagtailadmin_home")).content.decode().replace("\\u0026", "&")


def test_the_guide_is_one_markdown_file_with_every_daily_job():
    text = GUIDE.read_text(encoding="utf-8")
    for title in HOW_TOS:
        assert f"## {title}" in text


@pytest.mark.parametrize("role", ["comms", "policy", "moderator"])
def test_every_editor_opens_the_guide_from_the_sidebar(client, role, request):
    user = request.getfixturevalue(role)
    assert '"label": "Help"' in sidebar(as_user(client, user))
    response = client.get(reverse("thet_help"))
    assert response.status_code == 200
    html = response.content.decode()
    for title in HOW_TOS:
        assert f"<h2>{title}</h2>" in html
    assert "<table>" in html  # who may do what
    assert "<script>" not in html.split("thet-help", 1)[1].split("</main>", 1)[0]


def test_visitors_do_not_see_the_guide(client):
    response = client.get(reverse("thet_help"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


@pytest.fixture
def searched_terms():
    today = datetime.date.today()
    malaria = Query.get("malaria")
    QueryDailyHits.objects.create(query=malaria, date=today - datetime.timedelta(days=3), hits=4)
    QueryDailyHits.objects.create(query=malaria, date=today, hits=3)
    nursing = Query.get("nursing")
    QueryDailyHits.objects.create(query=nursing, date=today - datetime.timedelta(days=1), hits=2)
    return malaria, nursing


def test_comms_reach_the_search_terms_report_in_one_click(client, comms, searched_terms):
    malaria, nursing = searched_terms
    assert '"label": "Search terms"' in sidebar(as_user(client, comms))
    response = client.get(reverse("thet_search_terms"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("malaria") < html.index("nursing")  # most searched first
    assert re.search(r"<td[^>]*>\s*7\s*</td>", html)  # 4 + 3 searches
    pin = reverse("wagtailsearchpromotions:edit", args=(malaria.pk,))
    assert f'href="{pin}"' in html
    assert client.get(pin).status_code == 200  # and pin a result from there


def test_the_report_shows_when_a_term_was_last_searched(client, comms, searched_terms):
    html = as_user(client, comms).get(reverse("thet_search_terms")).content.decode()
    today = datetime.date.today()
    assert date_format(today) in html


def test_others_cannot_open_the_report(client, policy, moderator, searched_terms):
    for user in (policy, moderator):
        as_user(client, user)
        assert '"label": "Search terms"' not in sidebar(client)
        response = client.get(reverse("thet_search_terms"))
        assert response.status_code in (302, 403)
        assert "malaria" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"q": "\x00"}, {"q": "x" * 5000}, {"ordering": "nonsense"}, {"p": "999"}, {"export": "bad"}],
)
def test_odd_report_parameters_are_not_an_error(client, comms, searched_terms, query):
    response = as_user(client, comms).get(reverse("thet_search_terms"), query)
    assert response.status_code < 500
