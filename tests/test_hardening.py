"""Security hardening: headers, CSP, login lockout, passwords, uploads, errors."""

import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from pages.models import HomePage
from thet_site.jsonlog import JSONFormatter
from thet_site.security import client_ip

pytestmark = pytest.mark.django_db

PUBLIC_URLS = ["/", "/about/", "/our-work/", "/our-work/projects/", "/publications/"]
STRONG_PASSWORD = "correct-horse-battery-staple-42"


def csp_directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser(
        "editor", "editor@example.org", STRONG_PASSWORD
    )


# --- Headers ------------------------------------------------------------------------


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_send_security_headers(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["object-src"] == ["'none'"]
    # Same origin, never 'none': the admin's live preview frames the site.
    assert csp["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions


@pytest.mark.parametrize("url", PUBLIC_URLS + ["/search/?q=health"])
def test_public_pages_have_no_inline_script_or_style(client, seeded, url):
    """The CSP forbids them, so any that crept in would silently not run."""
    html = client.get(url).content.decode()
    for attrs in re.findall(r"<script\b([^>]*)>", html):
        if "application/ld+json" in attrs or "application/json" in attrs:
            continue  # data blocks, not scripts
        assert "src=" in attrs, f"inline <script> on {url}"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html), f"style attribute on {url}"
    assert not re.search(r"\son(click|load|error|submit|change)=", html)


def test_hsts_on_https(client, seeded):
    response = client.get("/", secure=True)
    hsts = response["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


def test_admin_has_its_own_looser_policy(client, editor):
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" in csp["script-src"]


def test_userbar_for_editors_loads_only_same_origin_scripts(client, seeded, editor):
    """Editors see the Wagtail userbar on public pages under the strict policy."""
    client.force_login(editor)
    response = client.get("/")
    html = response.content.decode()
    assert "wagtail-userbar" in html
    allowed = csp_directives(response["Content-Security-Policy"])["script-src"]
    sources = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)
    assert sources
    for src in sources:
        origin = re.match(r"https?://[^/]+", src)
        assert src.startswith("/") or (origin and origin.group(0) in allowed), src


def test_secure_session_cookie_after_login(client, editor):
    client.get("/admin/login/", secure=True)
    response = client.post(
        "/admin/login/",
        {"username": "editor", "password": STRONG_PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


# --- Login lockout ------------------------------------------------------------------


def test_admin_login_locks_out_after_repeated_failures(client, settings, editor):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for attempt in range(1, limit):
        response = client.post("/admin/login/", {"username": "editor", "password": "wrong"})
        assert response.status_code == 200, attempt  # the form again, with an error
        assert (
            "sign in" in response.content.decode().lower()
            or "log in" in str(response.content).lower()
        )
    response = client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.content.decode()
    # Now even the right password is refused from this address...
    response = client.post("/admin/login/", {"username": "editor", "password": STRONG_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # ...while an editor elsewhere can still sign in.
    other = type(client)(REMOTE_ADDR="203.0.113.9")
    response = other.post("/admin/login/", {"username": "editor", "password": STRONG_PASSWORD})
    assert response.status_code == 302


def test_a_successful_login_resets_the_count(client, settings, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    assert (
        client.post(
            "/admin/login/", {"username": "editor", "password": STRONG_PASSWORD}
        ).status_code
        == 302
    )
    client.logout()
    response = client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    assert response.status_code == 200


def test_lockout_uses_the_forwarded_address_only_behind_trusted_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # a visitor can't pick their own address
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"  # what the load balancer saw


# --- Passwords ----------------------------------------------------------------------


@pytest.mark.parametrize("password", ["short1!", "password1234", "12345678901234", "editor-editor"])
def test_weak_passwords_are_refused(password):
    user = get_user_model()(username="editor-editor", email="editor@example.org")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_strong_password_is_accepted():
    validate_password(STRONG_PASSWORD)


def test_admin_refuses_a_weak_password_for_a_new_user(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/users/new/",
        {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "first_name": "New",
            "last_name": "Comer",
            "password1": "password",
            "password2": "password",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "too short" in html or "too common" in html
    assert not get_user_model().objects.filter(username="newcomer").exists()


# --- Uploads ------------------------------------------------------------------------


def png_bytes(size):
    buffer = io.BytesIO()
    PILImage.new("1", size).save(buffer, "PNG")
    return buffer.getvalue()


def test_svg_image_upload_is_refused(client, editor):
    client.force_login(editor)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = client.post(
        "/admin/images/add/",
        {"title": "Logo", "file": SimpleUploadedFile("logo.svg", svg, "image/svg+xml")},
    )
    assert response.status_code == 200
    assert "Not a supported image format" in response.content.decode()
    assert not get_image_model().objects.filter(title="Logo").exists()


def test_image_with_too_many_pixels_is_refused(client, editor, settings):
    client.force_login(editor)
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == 40_000_000
    data = png_bytes((8000, 6000))  # 48 megapixels, a few kilobytes of PNG
    response = client.post(
        "/admin/images/add/",
        {"title": "Huge", "file": SimpleUploadedFile("huge.png", data, "image/png")},
    )
    assert response.status_code == 200
    assert "too many pixels" in response.content.decode()
    assert not get_image_model().objects.filter(title="Huge").exists()


def test_image_over_the_size_limit_is_refused(client, editor, settings):
    client.force_login(editor)
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    data = png_bytes((64, 64)) + b"\0" * settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    response = client.post(
        "/admin/images/add/",
        {"title": "Big", "file": SimpleUploadedFile("big.png", data, "image/png")},
    )
    assert response.status_code == 200
    assert "This file is too big" in response.content.decode()
    assert not get_image_model().objects.filter(title="Big").exists()


def test_a_normal_image_is_accepted(client, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(editor)
    response = client.post(
        "/admin/images/add/",
        {"title": "Clinic", "file": SimpleUploadedFile("clinic.png", png_bytes((64, 48)))},
    )
    assert response.status_code == 302
    assert get_image_model().objects.filter(title="Clinic").exists()


@pytest.mark.parametrize("name", ["page.html", "run.exe", "logo.svg", "script.js"])
def test_document_types_are_restricted(client, editor, name):
    client.force_login(editor)
    response = client.post(
        "/admin/documents/add/",
        {"title": "Bad file", "file": SimpleUploadedFile(name, b"<script>x</script>")},
    )
    assert response.status_code == 200
    assert "File extension" in response.content.decode()
    assert not get_document_model().objects.filter(title="Bad file").exists()


# --- Errors never leak ----------------------------------------------------------------


def test_500_page_has_no_traceback(client, seeded, monkeypatch, settings):
    assert settings.DEBUG is False

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("secret internals at /srv/thet/settings.py")

    monkeypatch.setattr(HomePage, "get_context", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, something went wrong" in html
    for leak in ("Traceback", "RuntimeError", "secret internals", "settings.py", "Django"):
        assert leak not in html
    assert "X-Powered-By" not in response
    assert "Server" not in response


def test_404_page_has_no_debug_details(client, seeded):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "URLconf" not in html and "Traceback" not in html and "DEBUG" not in html


# --- manage.py check --deploy ----------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="1",
        ALLOWED_HOSTS="www.thet.org",
        SITE_URL="https://www.thet.org",  # without it, check --deploy warns
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- Structured logs -------------------------------------------------------------------


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_requests_are_logged_as_json_lines_without_secrets(client, seeded):
    handler = ListHandler()
    handler.setFormatter(JSONFormatter())
    logger = logging.getLogger("thet.request")
    logger.addHandler(handler)
    try:
        client.get("/search/?q=private+words")
        client.get("/admin/password_reset/confirm/MQ/abc-123token/")
    finally:
        logger.removeHandler(handler)
    entries = [json.loads(line) for line in handler.lines]
    assert len(entries) == 2
    first = entries[0]
    assert first["method"] == "GET"
    assert first["path"] == "/search/"
    assert first["status"] == 200
    assert isinstance(first["duration_ms"], float)
    assert "private" not in handler.lines[0]
    assert "abc-123token" not in handler.lines[1]
