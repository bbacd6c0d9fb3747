"""Accounts nobody can take over: everyone who can publish signs in with a second factor.

Real sign-ins: the password through Wagtail's login form (django-axes watching), then
the code through the two-factor pages, as a browser would post them. Codes are computed
from the device's key with django-otp's own TOTP function. tests/browser/test_two_factor.py
does the same in Chromium.
"""

import re
import secrets
import subprocess
import sys
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pages import roles
from tests.conftest import verified_login
from tests.test_deploy_settings import BASE_DIR, clean_env, documented_production_env

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def two_factor_required(settings):
    settings.REQUIRE_2FA = True


def sign_in(username, password=PASSWORD) -> Client:
    client = Client()
    response = client.post("/admin/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:1500]
    return client


def code(device, drift=0) -> str:
    """The app's code now (drift 1: the next 30-second step, accepted as clock skew)."""
    return f"{totp(device.bin_key, drift=drift):06d}"


def set_up(client, user) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("twofactor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    html = page.content.decode()
    assert "data:image/svg+xml" in html  # the QR code
    key = re.search(r"data-twofactor-key>([A-Z2-7]+)<", html).group(1)
    assert key.strip()  # the key as text, for typing in
    response = client.post(reverse("twofactor_setup"), {"code": code(device), "next": "/admin/"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


@pytest.mark.parametrize("role", [*roles.ROLE_NAMES, "superuser"])
def test_everyone_who_can_publish_must_set_up_a_second_factor(make_user, role):
    if role == "superuser":
        get_user_model().objects.create_superuser("boss", "boss@example.org", PASSWORD)
        username = "boss"
    else:
        username = make_user(role).username
    client = sign_in(username)
    for path in ["/admin/", "/admin/pages/", "/admin/documents/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/2fa/setup/?next="), path


def test_set_up_then_sign_in_with_the_app(comms):
    client = sign_in(comms.username)
    device, _ = set_up(client, comms)
    assert client.get("/admin/").status_code == 200  # verified by setting up

    client = sign_in(comms.username)
    response = client.get("/admin/pages/")
    assert response["Location"] == "/admin/2fa/verify/?next=%2Fadmin%2Fpages%2F"
    wrong = client.post(reverse("twofactor_verify"), {"code": "000000", "next": "/admin/pages/"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    # django-otp throttles the device after a failure: even the right code waits a second.
    refused = client.post(reverse("twofactor_verify"), {"code": code(device, drift=1)})
    assert refused.status_code == 200
    time.sleep(1.1)
    response = client.post(
        reverse("twofactor_verify"), {"code": code(device, drift=1), "next": "/admin/pages/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_once(policy):
    client = sign_in(policy.username)
    _, codes = set_up(client, policy)

    client = sign_in(policy.username)
    response = client.post(reverse("twofactor_verify"), {"code": codes[3], "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=policy).count() == 9

    client = sign_in(policy.username)
    response = client.post(reverse("twofactor_verify"), {"code": codes[3], "next": "/admin/"})
    assert response.status_code == 200  # used up
    assert client.get("/admin/").status_code == 302


def test_an_offsite_next_is_ignored(comms):
    client = sign_in(comms.username)
    device, _ = set_up(client, comms)
    client = sign_in(comms.username)
    response = client.post(
        reverse("twofactor_verify"),
        {"code": code(device, drift=1), "next": "https://attacker.example/"},
    )
    assert response["Location"] == "/admin/"


def test_wrong_codes_lock_the_address_out_like_wrong_passwords(settings, moderator):
    client = sign_in(moderator.username)
    device, _ = set_up(client, moderator)
    client = sign_in(moderator.username)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("twofactor_verify"), {"code": "123456"})
        assert response.status_code == 200
    response = client.post(reverse("twofactor_verify"), {"code": "123456"})
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # signed out
    # Locked at the password step too, even with the right password, then the right code.
    again = Client()
    response = again.post("/admin/login/", {"username": moderator.username, "password": PASSWORD})
    assert response.status_code == 429


def test_wrong_passwords_still_lock_out(settings, comms):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": comms.username, "password": "wrong"})
    response = client.post("/admin/login/", {"username": comms.username, "password": PASSWORD})
    assert response.status_code == 429


def test_a_superuser_resets_a_lost_authenticator(client, admin_user, comms):
    sign_in_client = sign_in(comms.username)
    set_up(sign_in_client, comms)

    staff = verified_login(Client(), comms)
    response = staff.post(reverse("twofactor_reset", args=(comms.pk,)))
    assert response.status_code in (302, 403)  # Wagtail sends the refused to the dashboard
    assert response.status_code == 403 or response["Location"] == "/admin/"
    assert TOTPDevice.objects.filter(user=comms).exists()

    superuser = verified_login(client, admin_user)
    listing = superuser.get(reverse("twofactor_staff")).content.decode()
    assert comms.username in listing
    response = superuser.post(reverse("twofactor_reset", args=(comms.pk,)))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=comms).exists()
    assert not StaticDevice.objects.filter(user=comms).exists()
    assert sign_in(comms.username).get("/admin/")["Location"].startswith("/admin/2fa/setup/")


def test_a_half_signed_in_session_gets_no_staff_download(comms, publication_pdf):
    """An embargoed file (here: offered by nothing yet) is staff-only; a password alone
    does not make a staff session."""
    client = sign_in(comms.username)
    assert client.get(publication_pdf.url).status_code == 404
    assert verified_login(Client(), comms).get(publication_pdf.url).status_code == 200


def test_a_session_cannot_set_up_a_second_authenticator(comms):
    """An account with an authenticator cannot add another with just its password: that
    would let whoever has the password take the account over."""
    set_up(sign_in(comms.username), comms)
    client = sign_in(comms.username)
    response = client.get(reverse("twofactor_setup"))
    assert response["Location"].startswith("/admin/2fa/verify/")
    assert TOTPDevice.objects.filter(user=comms).count() == 1


def test_off_by_setting(settings, comms):
    settings.REQUIRE_2FA = False
    assert sign_in(comms.username).get("/admin/").status_code == 200


def test_check_deploy_warns_when_two_factor_is_off():
    env = documented_production_env()
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=clean_env(**env, REQUIRE_2FA="0"),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "thet.W002" in result.stdout + result.stderr
