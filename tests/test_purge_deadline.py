"""A frontend cache purge never holds a publish (``thet_site/cdn.py``).

A cache that accepts the purge and answers one byte a second keeps every read inside any
socket timeout, so only a wall-clock deadline on the whole purge stops it; and the purge
runs after the editor's response is sent.
"""

import select
import signal
import socket
import threading
import time
from contextlib import contextmanager

import pytest
from django.urls import reverse

from pages.models import ContentPage
from thet_site import cdn

DEADLINE = 2  # FRONTEND_CACHE_TIMEOUT in these tests


class DrippingCache:
    """A purge endpoint that reads the request, then answers one byte a second for as
    long as the client stays; it notes how long each client stayed."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stayed: list[float] = []
        self.requests: list[bytes] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.sock.settimeout(0.2)
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self.drip, args=(conn,), daemon=True).start()

    def drip(self, conn):
        started = time.monotonic()
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                request += chunk
            self.requests.append(request)
            answer = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 10_000
            for byte in answer:
                if self.stopping.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    break
                readable, _, _ = select.select([conn], [], [], 1.0)
                if readable and not conn.recv(1):  # the client hung up
                    break
        self.stayed.append(time.monotonic() - started)

    def close(self):
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def dripping_cache(settings):
    cache = DrippingCache()
    settings.WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "thet_site.cdn.HTTPBackend",
            "LOCATION": cache.url,
            "TIMEOUT": DEADLINE,
        }
    }
    yield cache
    cache.close()


@contextmanager
def at_most(seconds):
    def too_long(signum, frame):
        raise AssertionError(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def publish_through_the_admin(client, user, title):
    page = ContentPage.objects.get(slug="about")
    page.title = title
    page.save_revision()
    client.force_login(user)
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    started = time.monotonic()
    response = client.post(f"{url}?id={page.pk}", {"include_descendants": ""})
    return response, time.monotonic() - started


@pytest.mark.django_db(transaction=True)  # real commits: the purge is queued by one
def test_a_dripping_purge_endpoint_holds_neither_the_publish_nor_the_worker(
    seeded, client, comms, dripping_cache, caplog
):
    with at_most(30):
        response, took = publish_through_the_admin(client, comms, "Published past a drip")
        assert response.status_code == 302
        print(f"publish POST answered in {took:.2f} s (deadline {DEADLINE} s)")
        assert took <= DEADLINE + 1, f"the publish took {took:.1f} s"
        running = cdn.purges_running()
        assert running, "the purge should run after the response, not inside it"
        for thread in running:
            thread.join(DEADLINE + 5)
    assert ContentPage.objects.get(slug="about").title == "Published past a drip"
    # The purge reached the cache, and was cut off at the deadline, not left hanging.
    assert len(dripping_cache.requests) == 1
    assert dripping_cache.requests[0].startswith(b"PURGE /* HTTP/1.1")
    waited = time.monotonic() + 5
    while not dripping_cache.stayed and time.monotonic() < waited:
        time.sleep(0.05)  # the cache notices the hang-up on its next beat
    assert dripping_cache.stayed and dripping_cache.stayed[0] <= DEADLINE + 1
    print(f"the dripping cache was held {dripping_cache.stayed[0]:.2f} s")
    assert not cdn.purges_running()
    assert "Couldn't purge" in caplog.text and "deadline" in caplog.text


@pytest.mark.django_db
def test_outside_a_request_the_purge_runs_at_once_within_the_deadline(
    seeded, dripping_cache, django_capture_on_commit_callbacks, caplog
):
    """A command (scheduled publishing, the shell) has no response to wait for: it purges
    straight after the commit, and is held no longer than the deadline."""
    page = ContentPage.objects.get(slug="about")
    page.title = "Published by a command"
    started = time.monotonic()
    with at_most(30), django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert time.monotonic() - started <= DEADLINE + 1
    assert dripping_cache.requests and not cdn.purges_running()
    assert "Couldn't purge" in caplog.text


def test_a_purge_is_never_lost_silently(settings, caplog):
    """A backend that fails outright is logged."""
    settings.WAGTAILFRONTENDCACHE = {
        "default": {"BACKEND": "thet_site.cdn.HTTPBackend", "LOCATION": "http://127.0.0.1:9"}
    }
    cdn.purge_urls_within(["https://www.thet.example/*"], 2)
    assert "Couldn't purge https://www.thet.example/*" in caplog.text
