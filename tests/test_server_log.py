"""One request log, redacted: the production server prints no secret from a URL.

The server is started as `make serve` starts it (gunicorn with thet_site/gunicorn.conf.py
and nothing else on its command line), and everything it prints is captured.
"""

import json
import urllib.error
import urllib.request

import pytest

from tests.servers import BASE_DIR, PYTHON, _start, free_port, prepare_site, stop, wait_for_health

# The site runs in its own processes on its own database: .ci/run runs these once.
pytestmark = pytest.mark.server

SECRET_URLS = ["/admin/password_reset/confirm/abc/def-123/?token=x", "/?email=a@b.c"]
SECRETS = ["def-123", "token=x", "a@b.c", "a%40b.c"]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_production_server_logs_no_secret_from_a_url():
    with prepare_site() as site:
        port = free_port()
        env = {**site.env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
        log = site.root / "server.log"
        argv = [PYTHON, "-m", "gunicorn", "thet_site.wsgi:application"]
        argv += ["--config", str(BASE_DIR / "thet_site" / "gunicorn.conf.py")]
        process = _start(argv, env, log)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for_health(url, process, log)
            for path in SECRET_URLS:
                assert fetch(url + path) < 500, path
        finally:
            stop(process)
        output = log.read_text(errors="replace")
    for secret in SECRETS:
        assert secret not in output, f"{secret!r} in the server's output:\n{output[-3000:]}"
    # The one request log is there, with what it is for.
    paths = [json.loads(line).get("path") for line in output.splitlines() if '"path"' in line]
    assert "/admin/password_reset/confirm/[redacted]/" in paths
    assert "/" in paths
