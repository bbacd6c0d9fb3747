"""No request costs more than a bounded amount, facet counts in time proportional to
the matching projects.

Run on whichever database ``DATABASE_URL`` names: the plan checks read SQLite's
``EXPLAIN QUERY PLAN`` or PostgreSQL's ``EXPLAIN``.
"""

import datetime
import os
import re
import string
import subprocess
import sys
from html import unescape

import psycopg2.errors
import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits

from pages.search import MAX_QUERY_WORDS, clean_query, query_words
from partnerships.forms import ProjectFilterForm
from partnerships.models import PartnerOrganisation, ProjectPage
from sitewide import search
from tests.bulk import add_projects
from thet_site import privacy
from thet_site.env import limit_connections

pytestmark = pytest.mark.django_db

LISTING = "/our-work/projects/"

# 200 characters of one-letter words (the form's limit), and 100 distinct short words (cut
# to the first 200 characters, 67 words, as every search box does).
ONE_LETTER_WORDS = " ".join(string.ascii_lowercase[n % 26] for n in range(100))[:200]
SHORT_WORDS = " ".join(a + b for a in "bcdfghjklm" for b in "aeiouyrstn")

# A complete render of the listing is 9–12 statements (see test_fragments.py); a few more
# allowed, never one per word. The longest is the facet counts: eight grouped counts over the
# filtered projects, written once per distinct set of filters (one with no facet selected,
# four with all four), each with at most six words. Measured with all four facets selected
# and six words: 28,500 characters, values included; words add at most their 200 characters
# in eight places per copy. Without the word cap, each of 100 words added two subqueries to
# every count (about 24 copies of the filters), and PostgreSQL spent seconds planning it.
MAX_STATEMENTS = 15
MAX_STATEMENT_CHARS = 40_000


def test_query_words_are_deduplicated_short_ones_dropped_and_capped():
    words = query_words("Health health HEALTH a 5 nurses in Nepal and Tanzania for midwives x")
    assert words.used == ("Health", "5", "nurses", "in", "Nepal", "and")
    assert words.ignored == ("a", "Tanzania", "for", "midwives", "x")
    assert len(query_words(SHORT_WORDS).used) == MAX_QUERY_WORDS
    assert query_words(ONE_LETTER_WORDS).used == ()


def render(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("words", [ONE_LETTER_WORDS, SHORT_WORDS], ids=["letters", "short"])
def test_a_hostile_query_on_500_projects_costs_a_bounded_amount(client, full_render, words):
    add_projects(500)
    client.get(LISTING)  # Wagtail's per-process caches (sites, content types)
    every_facet = (
        "&country=nepal&theme=mental-health&partner=nice&programme=health-partnership-scheme"
    )
    for extra in ("", f"{every_facet}&page=2"):
        response, statements = render(client, f"{LISTING}?q={words.replace(' ', '+')}{extra}")
        assert response.status_code == 200
        assert len(statements) <= MAX_STATEMENTS, len(statements)
        longest = max(len(sql) for sql in statements)
        assert longest <= MAX_STATEMENT_CHARS, longest
        html = unescape(response.content.decode())
        assert "Some of your words were left out of the search" in html
        assert 'id="ignored-words"' in html


def test_the_words_used_still_match_titles_summaries_and_partners(client, full_render):
    add_projects(40, partners=5)
    html = unescape(client.get(f"{LISTING}?q=Bulk+project+7").content.decode())
    assert "Bulk project 7" in html and "Bulk project 8" not in html
    # Every word must match: "overseas" and "hospital" only through the overseas partners'
    # names, "training" through the summary, "project" the title; repeats count once.
    html = unescape(
        client.get(f"{LISTING}?q=overseas+hospital+TRAINING+project+Hospital").content.decode()
    )
    assert "40 projects match your filters" in html
    assert 'id="ignored-words"' not in html
    # Past the cap: the first six words are used, the seventh ignored (and named).
    html = unescape(client.get(f"{LISTING}?q=zz+yy+xx+ww+vv+uu+hospital").content.decode())
    assert "No projects found" in html and "“hospital”" in html


def test_a_partner_in_both_roles_counts_each_project_once(client, full_render):
    partner = PartnerOrganisation.objects.get(slug="nice")
    project = ProjectPage.objects.get(slug="healthcare-resource-allocation-india-china")
    assert project.uk_partners.filter(pk=partner.pk).exists()
    project.overseas_partners.add(partner)
    html = unescape(client.get(LISTING).content.decode())
    assert "NICE (1)" in html, "counted once, not once per role"
    html = unescape(client.get(f"{LISTING}?partner=nice").content.decode())
    assert "1 project matches your filters" in html


def facet_statements(client, url) -> list[tuple[str, list]]:
    """The statements (SQL and parameters) the listing's facet counts ran."""
    ran = []
    original = ProjectFilterForm.facets.func

    def facets(form):
        with CaptureQueriesContext(connection) as captured:
            result = original(form)
        ran.extend(captured.captured_queries)
        return result

    ProjectFilterForm.facets.func = facets
    try:
        assert client.get(url).status_code == 200
    finally:
        ProjectFilterForm.facets.func = original
    return [q["sql"] for q in ran]


def query_plan(sql: str) -> str:
    """The database's plan for ``sql`` as text (the statement as run, with its values)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def per_row_subqueries(plan: str) -> list[str]:
    """The subqueries of ``plan`` run once per row of an outer query: PostgreSQL's
    ``SubPlan``s that are not hashed (a hashed one runs once, its rows kept in a hash
    table), SQLite's ``CORRELATED`` subqueries."""
    if connection.vendor == "postgresql":
        hashed = set(re.findall(r"hashed SubPlan (\d+)", plan))
        return [n for n in re.findall(r"SubPlan (\d+)", plan) if n not in hashed]
    return re.findall(r"CORRELATED .*", plan)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=health+workers",
        "?country=nepal&theme=mental-health&partner=nice&programme=health-partnership-scheme",
        "?q=bulk+training+hospital&country=tanzania&partner=bulk-overseas-hospital-2",
    ],
)
def test_facet_counts_are_one_statement_without_a_subquery_per_option(client, full_render, query):
    add_projects(60, partners=10)
    statements = facet_statements(client, f"{LISTING}{query}")
    assert len(statements) == 1, statements
    plan = query_plan(statements[0])
    assert not per_row_subqueries(plan), plan
    # The statement is one grouped count per facet, not a count per option.
    assert statements[0].count("COUNT(") >= 4


# --- Site search: the same word cap, and the popular-terms report bounded ---------------


def test_site_search_uses_the_same_bounded_words(client, full_render):
    html = unescape(client.get(f"/search/?q={SHORT_WORDS.replace(' ', '+')}").content.decode())
    ignored = len(clean_query(SHORT_WORDS).split()) - MAX_QUERY_WORDS  # past 200 characters: cut
    assert 'id="ignored-words"' in html and f"and {ignored - 10} more" in html
    html = unescape(client.get("/search/?q=colposcopy+colposcopy+a").content.decode())
    assert "1 result for" in html and "“a”" in html


def test_searches_that_find_nothing_are_not_recorded(client, full_render):
    before = (Query.objects.count(), QueryDailyHits.objects.count())
    for spam in ("buy cheap pills", "zqxj casino", "qwertyuiop"):
        assert client.get(f"/search/?q={spam}").status_code == 200
    assert (Query.objects.count(), QueryDailyHits.objects.count()) == before

    client.get("/search/?q=colposcopy")
    client.get("/search/?q=colposcopy", REMOTE_ADDR="203.0.113.9")  # another visitor
    hits = QueryDailyHits.objects.get(query__query_string="colposcopy")
    assert hits.hits == 2


def test_new_search_terms_a_day_are_capped_and_old_days_pruned(client, full_render, monkeypatch):
    old = Query.objects.create(query_string="old term")
    QueryDailyHits.objects.create(
        query=old, date=timezone.now().date() - datetime.timedelta(days=400), hits=3
    )
    monkeypatch.setattr(search, "SEARCH_TERMS_PER_DAY", 2)
    for term in ("colposcopy", "tanzania", "nepal"):  # each finds something
        client.get(f"/search/?q={term}")
    today = QueryDailyHits.objects.filter(date=timezone.now().date())
    assert sorted(today.values_list("query__query_string", flat=True)) == [
        "colposcopy",
        "tanzania",
    ]
    assert not Query.objects.filter(query_string="old term").exists()
    # A term already in today's report is still counted (for another visitor).
    client.get("/search/?q=tanzania", REMOTE_ADDR="203.0.113.9")
    assert today.get(query__query_string="tanzania").hits == 2


@pytest.mark.parametrize(
    "url",
    [
        f"{LISTING}?q=bulk+hospital&theme=mental-health",
        "/our-work/health-partnership-scheme/",  # its map counts projects per country
    ],
)
def test_no_statement_of_a_listing_runs_a_subquery_per_row(client, full_render, url):
    add_projects(60, partners=10)
    client.get(url)
    response, statements = render(client, url)
    assert response.status_code == 200
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            assert not per_row_subqueries(query_plan(sql)), sql


# --- Defence in depth on PostgreSQL: JIT off, a statement timeout for web requests ------


def test_connection_limits_apply_to_postgresql_only():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}
    assert limit_connections(sqlite, 5000) == sqlite
    postgres = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "thet",
        "OPTIONS": {"sslmode": "require", "options": "-c search_path=public"},
    }
    web = limit_connections(postgres, 5000)["OPTIONS"]
    assert web == {
        "sslmode": "require",
        "options": "-c search_path=public -c jit=off -c statement_timeout=5000",
    }
    assert limit_connections(postgres, 0)["OPTIONS"]["options"].endswith("-c jit=off")
    assert postgres["OPTIONS"]["options"] == "-c search_path=public"  # not changed in place


def database_options(command: list[str], environ: dict) -> str:
    """What a fresh process (``command`` and a line of code) makes of the database settings."""
    env = {k: v for k, v in os.environ.items() if k != "THET_WEB_PROCESS"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "thet_site.settings",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",  # read, never connected to
            "DATABASE_STATEMENT_TIMEOUT_MS": "1234",
            **environ,
        }
    )
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code, list argv
        [sys.executable, *command[:-1], command[-1] + show],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_web_process_gets_the_statement_timeout_and_commands_do_not():
    wsgi = ["-c", "import thet_site.wsgi; "]
    web = database_options(wsgi, {})
    assert "statement_timeout=1234" in web and "jit=off" in web
    command = database_options(["manage.py", "shell", "-c", ""], {})
    assert "statement_timeout" not in command and "jit=off" in command


def test_the_database_connections_have_jit_off(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
            cursor.execute("SHOW statement_timeout")  # the tests are not a web process
            assert cursor.fetchone()[0] == "0"
        else:  # SQLite has neither: nothing is set
            assert "OPTIONS" not in connection.settings_dict or not connection.settings_dict[
                "OPTIONS"
            ].get("options")


def cancelled():
    """The error Django raises when PostgreSQL cancels a statement past its timeout."""
    try:
        try:
            raise psycopg2.errors.QueryCanceled("canceling statement due to statement timeout")
        except psycopg2.Error as error:
            raise OperationalError(*error.args) from error
    except OperationalError as error:
        return error


def assert_busy_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "Sorry, the site is busy" in html and 'class="site-header"' in html


def test_a_statement_timeout_in_a_page_gives_the_busy_page(client, full_render, monkeypatch):
    def slow(form, projects):
        raise cancelled()

    monkeypatch.setattr(ProjectFilterForm, "apply", slow)
    assert_busy_page(client.get(f"{LISTING}?q=health"))


def test_a_statement_timeout_outside_a_view_gives_the_busy_page(client, monkeypatch):
    def slow(self, request):
        raise cancelled()

    monkeypatch.setattr(privacy.PrivacyMemoMiddleware, "__call__", slow)
    client.raise_request_exception = False
    assert_busy_page(client.get("/about/"))
    # Any other error is still the ordinary 500 page.
    monkeypatch.setattr(privacy.PrivacyMemoMiddleware, "__call__", lambda self, r: 1 / 0)
    response = client.get("/about/")
    assert (
        response.status_code == 500 and "Sorry, something went wrong" in response.content.decode()
    )


def test_a_real_statement_timeout_gives_the_busy_page_and_the_site_lives_on(client, full_render):
    """On PostgreSQL: the listing's statements on 500 projects under a 1 ms timeout. On
    SQLite there is no statement timeout: the same request is served."""
    add_projects(500)
    url = f"{LISTING}?q=bulk+training+hospital+project"
    client.get(LISTING)
    if connection.vendor != "postgresql":
        assert client.get(url).status_code == 200
        return
    client.raise_request_exception = False
    savepoint = transaction.savepoint()
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 1")
    assert_busy_page(client.get(url))
    transaction.savepoint_rollback(savepoint)  # (the test's transaction; a request has none)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    assert client.get(url).status_code == 200


def test_the_publication_listing_searches_the_same_bounded_words(client, seeded, full_render):
    """The publication listing's search box keeps to the same six words as site search
    and the project listing, and says which it left out."""
    hostile = " ".join(f"w{n}x" for n in range(60))[:200]
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/publications/", {"q": hostile})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ignored-words"' in html and "Some of your words were left out" in html
    assert all(len(query["sql"]) <= 40_000 for query in captured)
    found = client.get("/publications/", {"q": "diaspora diaspora a"}).content.decode()
    assert "Experts in Our Midst" in found
