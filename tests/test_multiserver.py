"""More than one server: two gunicorn instances on one PostgreSQL and one Redis.

* A change published through one server's admin is seen on the other at once, although
  that server had the old page in its cache a moment before.
* A bounded load test (loopback, 16 connections, 12 s) has no failed request while
  each gunicorn worker in turn is killed with SIGKILL. Like a load balancer, the client
  retries a GET once when its connection is reset, refused or cut off mid-response (a
  killed worker drops the requests it was serving; a buffering proxy such as nginx with
  ``proxy_next_upstream error`` retries those too); any 5xx, any other error, or a second
  failure counts as failed.

Both need PostgreSQL and Redis at 127.0.0.1 (the CI machines have them). Without them
the tests are skipped on a developer's machine and fail under CI (``CI`` set), so CI
can never pass without having run them.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlencode, urlsplit

import psycopg2
import pytest
import redis

from tests.servers import prepare_site, running_site

# The site runs in its own processes on its own database: .ci/run runs these once.
pytestmark = pytest.mark.server

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
PASSWORD = "multi-server-test-password-1"

ABOUT = "/about/"


def _reachable(host, port) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=2):
        return True
    return False


def _require_services():
    missing = [
        name
        for name, host, port in (
            ("PostgreSQL", PG_HOST, PG_PORT),
            ("Redis", REDIS_HOST, REDIS_PORT),
        )
        if not _reachable(host, port)
    ]
    if missing:
        message = f"{' and '.join(missing)} not reachable on 127.0.0.1"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the multi-server tests")
        pytest.skip(message)


@contextlib.contextmanager
def scratch_database():
    """A new, empty PostgreSQL database, dropped at the end."""
    name = f"thet_multi_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture(scope="module")
def two_servers():
    _require_services()
    prefix = f"thet-test-{uuid.uuid4().hex[:8]}"  # this run's own keys in the shared Redis
    env = {
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
        "CACHE_KEY_PREFIX": prefix,
        "PAGE_CACHE": "1",
        "FRAGMENT_CACHE": "1",
        "REQUEST_LOG": "0",
    }
    with scratch_database() as database_url:
        env["DATABASE_URL"] = database_url
        with prepare_site(env) as prepared:
            prepared.create_superuser("editor", PASSWORD)
            with (
                running_site(prepared=prepared) as one,
                running_site(prepared=prepared) as two,
            ):
                yield prepared, one, two
        # The servers are stopped; forget this run's keys.
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


# --- A small HTTP client ---------------------------------------------------------------


class Browser:
    """Cookies and CSRF for a few admin requests, over http.client."""

    def __init__(self, base):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response.status, dict(response.getheaders()), content

    def csrf(self, html):
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, "no CSRF token in the form"
        return match.group(1)

    def log_in(self, username, password):
        _, _, html = self.request("GET", "/admin/login/")
        status, headers, _ = self.request(
            "POST",
            "/admin/login/",
            {
                "csrfmiddlewaretoken": self.csrf(html),
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )
        assert status == 302, f"login failed: {status}"

    def bulk(self, action, page_id):
        """Wagtail's page bulk action (publish / unpublish), as the explorer does it."""
        path = f"/admin/bulk/wagtailcore/page/{action}/?id={page_id}&next=/admin/"
        status, _, html = self.request("GET", path)
        assert status == 200, f"{action} form: {status}"
        status, _, _ = self.request("POST", path, {"csrfmiddlewaretoken": self.csrf(html)})
        assert status == 302, f"{action}: {status}"


def get(base, path):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


# --- The tests ---------------------------------------------------------------------------


def test_a_change_published_on_one_server_is_live_on_the_other_at_once(two_servers):
    prepared, one, two = two_servers
    # Both servers have the About page in the shared cache.
    for server in (one, two):
        get(server.url, ABOUT)
    status, headers, html = get(two.url, ABOUT)
    assert status == 200 and headers["X-Page-Cache"] == "hit"
    assert "Launch-day title" not in html

    # An editor saves a draft (in the shared database)...
    result = prepared.manage(
        "shell",
        "-c",
        "from pages.models import ContentPage; p = ContentPage.objects.get(slug='about'); "
        "p.title = 'Launch-day title'; r = p.save_revision(); print(p.pk)",
    )
    page_id = int(result.stdout.strip().splitlines()[-1])
    # ...which nobody sees yet, on either server.
    assert "Launch-day title" not in get(two.url, ABOUT)[2]

    # The editor publishes it through server one's admin.
    editor = Browser(one.url)
    editor.log_in("editor", PASSWORD)
    editor.bulk("publish", page_id)

    # Server two shows it on the very next request, and in its menus and breadcrumbs.
    status, headers, html = get(two.url, ABOUT)
    assert status == 200 and "Launch-day title" in html
    assert headers["X-Page-Cache"] == "miss"
    assert "Launch-day title" in get(two.url, "/")[2]  # the main menu

    # Unpublishing through server one: gone from server two at once.
    editor.bulk("unpublish", page_id)
    assert get(two.url, ABOUT)[0] == 404
    assert "Launch-day title" not in get(two.url, "/")[2]


def _worker_pids(master_pid) -> set[int]:
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == master_pid:
                    pids.add(int(entry))
    return pids


def test_no_request_fails_while_a_worker_is_killed_under_load(two_servers):
    _, one, _ = two_servers
    parts = urlsplit(one.url)
    paths = [
        "/",
        "/our-work/projects/",
        "/our-work/projects/?theme=mental-health",
        "/our-work/projects/violence-aggression-management-tanzania/",
        "/publications/",
        "/publications/experts-in-our-midst/",
        "/search/?q=health",
        "/our-work/",
    ]
    duration, connections = 12.0, 16
    deadline = time.monotonic() + duration
    outcomes: Counter = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def fetch(path):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def visitor(n):
        i = n
        while time.monotonic() < deadline:
            # Every ninth request is a search not seen before: rendered, not cached.
            path = paths[i % len(paths)] if i % 9 else f"/search/?q=training+{n}x{i}"
            i += 1
            try:
                status, retried = fetch(path), False
            except (ConnectionError, http.client.RemoteDisconnected, http.client.IncompleteRead):
                try:  # a load balancer retries an idempotent request once
                    status, retried = fetch(path), True
                except Exception as exc:  # noqa: BLE001
                    with lock:
                        failures.append(f"{path}: {exc!r} after a retry")
                    continue
            except Exception as exc:  # noqa: BLE001
                with lock:
                    failures.append(f"{path}: {exc!r}")
                continue
            with lock:
                outcomes["retried" if retried else "first try"] += 1
                if status >= 500 or status not in (200, 304):
                    failures.append(f"{path}: {status}")

    workers_before = _worker_pids(one.process.pid)
    assert len(workers_before) == 2, workers_before
    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    # Kill one worker a third of the way in and the other two thirds in: gunicorn's
    # master replaces each while the other keeps serving.
    victims = sorted(workers_before)
    for victim in victims:
        time.sleep(duration / 3)
        os.kill(victim, signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=duration + 60)

    served = outcomes["first try"] + outcomes["retried"]
    assert not failures, failures[:10]
    assert served > 200, outcomes  # it really was under load
    workers_after = _worker_pids(one.process.pid)
    assert not workers_after & workers_before and len(workers_after) == 2  # both replaced
    status, _, _ = get(one.url, "/health/")
    assert status == 200
    print(f"load test: {served} requests, {outcomes['retried']} retried once, 0 failed")
