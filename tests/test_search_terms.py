"""Popular search terms cannot be filled by a script (``sitewide/search.py``).

Anyone can search, so the report editors pick promotions from would say whatever a
script wanted: each visitor's searches count once per term a day, for a few terms a day,
told apart by a daily-salted hash of their address (no address is kept).
"""

import datetime

import pytest
from django.utils import timezone
from wagtail.contrib.search_promotions.models import QueryDailyHits

from sitewide import search
from thet_site.security import daily_visitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_search_renders(settings):
    """Each search runs (no kept page or fragment), as a script varying its address would
    make it."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False


def today():
    return QueryDailyHits.objects.filter(date=timezone.now().date())


def test_a_script_cannot_fill_the_days_terms(client, seeded, every_search_renders):
    for number in range(40):  # each finds something: "health" matches, the rest is ignored
        response = client.get(f"/search/?q=health+zz{number}", REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 200
    assert today().count() == search.SEARCH_TERMS_PER_VISITOR
    # Another visitor's searches still count.
    client.get("/search/?q=tanzania", REMOTE_ADDR="198.51.100.8")
    assert today().filter(query__query_string="tanzania").exists()


def test_a_visitor_repeating_a_search_counts_once_a_day(client, seeded, every_search_renders):
    for _ in range(10):
        client.get("/search/?q=colposcopy", REMOTE_ADDR="198.51.100.7")
    assert today().get(query__query_string="colposcopy").hits == 1
    for address in ("198.51.100.8", "2001:db8::1"):
        client.get("/search/?q=Colposcopy", REMOTE_ADDR=address)  # case does not matter
    assert today().get(query__query_string="colposcopy").hits == 3


def test_behind_a_proxy_the_visitor_is_the_address_the_proxy_saw(
    client, seeded, every_search_renders, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for forwarded in ("203.0.113.1", "203.0.113.2"):
        client.get("/search/?q=nepal", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert today().get(query__query_string="nepal").hits == 2


def test_the_visitor_is_a_daily_salted_hash_not_an_address(rf, settings, monkeypatch):
    request = rf.get("/search/", REMOTE_ADDR="198.51.100.7")
    name = daily_visitor(request)
    assert "198.51.100.7" not in name and len(name) == 64
    assert daily_visitor(rf.get("/", REMOTE_ADDR="198.51.100.7")) == name  # the same day
    assert daily_visitor(rf.get("/", REMOTE_ADDR="198.51.100.8")) != name
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert daily_visitor(request) != name  # a new salt: days cannot be linked
