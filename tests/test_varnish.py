"""A real Varnish in front of a real server, with the VCL in docs/varnish/thet.vcl.

* A public page is served from Varnish (a hit: ``X-Varnish`` carries two ids, ``Age`` > 0).
* An editor publishes a change through the admin; the site purges Varnish through
  Wagtail's frontend cache (``FRONTEND_CACHE_BACKEND=http``), and the next request
  through Varnish shows the change, on the page itself and on the home page's menu.
* A visitor with a session cookie, and the admin, always reach the site (never a hit);
  other cookies (analytics, CSRF) do not stop a visitor from getting the cached page.
* Only the app's own addresses may purge (the VCL's acl).

Needs Debian's ``varnish`` (``.ci/system-packages`` installs it). Without varnishd the
test is skipped on a developer's machine and fails under CI (``CI`` set).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import subprocess  # noqa: S404 - our own varnishd, list argv, no shell
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.servers import BASE_DIR, free_port, prepare_site, running_site, stop
from tests.test_multiserver import Browser

# The site runs in its own processes on its own database: .ci/run runs these once.
pytestmark = pytest.mark.server

VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
VCL = BASE_DIR / "docs" / "varnish" / "thet.vcl"
PASSWORD = "varnish-test-password-1"
ABOUT = "/about/"


def _require_varnish():
    if not os.access(VARNISHD, os.X_OK):
        message = "varnishd is not installed (`.ci/system-packages` installs Debian's varnish)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the Varnish test")
        pytest.skip(message)


def vcl_for_backend(port: int) -> str:
    """docs/varnish/thet.vcl with its backend on `port` (the file's only change)."""
    vcl, count = re.subn(r'\.port = "\d+";', f'.port = "{port}";', VCL.read_text(), count=1)
    assert count == 1, "thet.vcl has no backend .port to point at the test server"
    return vcl


@contextlib.contextmanager
def running_varnish(port: int, backend_port: int) -> Iterator[str]:
    """varnishd on 127.0.0.1:`port` in front of 127.0.0.1:`backend_port`, until the end."""
    work = Path(tempfile.mkdtemp(prefix="thet-varnish-"))
    try:
        (work / "thet.vcl").write_text(vcl_for_backend(backend_port))
        log = work / "varnishd.log"
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603
                [
                    VARNISHD,
                    "-F",  # in the foreground: this process is varnishd's manager
                    "-j",
                    "none",  # no jail: works as root and as an ordinary user
                    "-n",
                    str(work / "instance"),
                    "-a",
                    f"127.0.0.1:{port}",
                    "-f",
                    str(work / "thet.vcl"),
                    "-s",
                    "malloc,32m",
                    "-T",
                    "none",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_for(port, process, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _wait_for(port, process, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"varnishd exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _, _ = request(f"http://127.0.0.1:{port}", "GET", "/health/")
            if status == 200:
                return
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    raise RuntimeError(f"varnishd did not answer in {timeout}s:\n{log.read_text()}")


def request(base, method, path, headers=None, source=None):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=30, source_address=source
    )
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def get(base, path, **kwargs):
    return request(base, "GET", path, **kwargs)


def is_hit(headers) -> bool:
    """Varnish's X-Varnish has two ids on a hit (this request's and the object's)."""
    return len(headers["X-Varnish"].split()) == 2


@pytest.fixture(scope="module")
def varnish_site():
    _require_varnish()
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    with prepare_site() as prepared:
        prepared.create_superuser("editor", PASSWORD)
        env = {
            "FRONTEND_CACHE_BACKEND": "http",
            "FRONTEND_CACHE_LOCATION": public,
            "SITE_URL": public,  # what visitors use, so what the site purges
            "PAGE_CACHE_DIR": str(prepared.root / "pages"),
            "REQUEST_LOG": "0",
        }
        with (
            running_site(prepared=prepared, env=env) as site,
            running_varnish(port, urlsplit(site.url).port) as varnish,
        ):
            yield prepared, site, varnish


def test_a_publish_purges_varnish_and_the_next_request_shows_it(varnish_site):
    prepared, site, varnish = varnish_site

    # A public page is served from Varnish: the second request is a hit, with an Age.
    status, headers, html = get(varnish, ABOUT)
    assert status == 200 and "s-maxage=" in headers["Cache-Control"]
    time.sleep(1.1)
    status, headers, cached = get(varnish, ABOUT)
    assert status == 200 and is_hit(headers), headers
    assert int(headers["Age"]) >= 1 and cached == html
    assert "Launch-day title" not in cached
    get(varnish, "/")
    assert is_hit(get(varnish, "/")[1])  # the home page too (its menu shows About)

    # An editor saves a draft: nobody sees it.
    result = prepared.manage(
        "shell",
        "-c",
        "from pages.models import ContentPage; p = ContentPage.objects.get(slug='about'); "
        "p.title = 'Launch-day title'; p.save_revision(); print(p.pk)",
    )
    page_id = int(result.stdout.strip().splitlines()[-1])
    assert "Launch-day title" not in get(varnish, ABOUT)[2]

    # The editor publishes it through the admin (through Varnish, as editors would).
    editor = Browser(varnish)
    editor.log_in("editor", PASSWORD)
    editor.bulk("publish", page_id)

    # The purge runs once the editor's response is sent, within FRONTEND_CACHE_TIMEOUT (3 s):
    # then a request through Varnish shows it: the page and the home page's menu.
    deadline = time.monotonic() + 4
    while True:
        status, headers, html = get(varnish, ABOUT)
        if "Launch-day title" in html or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert status == 200 and "Launch-day title" in html
    assert not is_hit(headers)
    status, headers, home = get(varnish, "/")
    assert "Launch-day title" in home and not is_hit(headers)
    # ...and is kept again.
    assert is_hit(get(varnish, ABOUT)[1])


def test_a_visitor_with_a_session_cookie_always_reaches_the_site(varnish_site):
    _, _, varnish = varnish_site
    get(varnish, ABOUT)
    assert is_hit(get(varnish, ABOUT)[1])
    for _ in range(2):
        status, headers, _ = get(varnish, ABOUT, headers={"Cookie": "sessionid=abc123"})
        assert status == 200 and not is_hit(headers)
        assert "private" in headers["Cache-Control"]
    # Other cookies do not change the page: the cached one is served.
    _, headers, _ = get(varnish, ABOUT, headers={"Cookie": "_ga=GA1.2.3; csrftoken=x"})
    assert is_hit(headers)


def test_the_admin_is_never_cached(varnish_site):
    _, _, varnish = varnish_site
    for _ in range(2):
        status, headers, _ = get(varnish, "/admin/login/")
        assert status == 200 and not is_hit(headers)
        assert "private" in headers["Cache-Control"] or "no-store" in headers["Cache-Control"]
    editor = Browser(varnish)
    editor.log_in("editor", PASSWORD)
    for _ in range(2):
        status, headers, html = editor.request("GET", "/admin/")
        assert status == 200 and not is_hit(headers) and "Dashboard" in html


def test_only_the_app_servers_may_purge(varnish_site):
    _, _, varnish = varnish_site
    get(varnish, ABOUT)
    assert is_hit(get(varnish, ABOUT)[1])
    # From an address outside the VCL's acl (127.0.0.2 is loopback, but not listed).
    status, _, _ = request(varnish, "PURGE", "/*", source=("127.0.0.2", 0))
    assert status == 405
    assert is_hit(get(varnish, ABOUT)[1])
    # From the app's address: a ban of the whole host.
    status, _, _ = request(varnish, "PURGE", "/*")
    assert status == 200
    assert not is_hit(get(varnish, ABOUT)[1])
