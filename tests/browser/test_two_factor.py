"""Two-factor sign-in in Chromium: set up an authenticator, sign in with its code, sign
in with a recovery code. The site runs with REQUIRE_2FA on (the other browser modules
run theirs with it off); codes come from the key the page shows, through django-otp's
own TOTP function, as an authenticator app would compute them.
"""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.axe import axe_violations, format_violations
from tests.browser.test_editorial_flows import make_user, sign_in_with_password
from tests.servers import copy_site, running_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_site(_seeded_site):
    """This module's own server, with two-factor sign-in required."""
    with (
        copy_site(_seeded_site) as prepared,
        running_site(prepared=prepared, env={"REQUIRE_2FA": "1"}) as site,
    ):
        yield site


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, f"{page.url}: axe-core found\n{format_violations(violations)}"


def code_for(key_base32: str, drift: int = 0) -> str:
    return f"{totp(b32decode(key_base32), drift=drift):06d}"


def test_set_up_sign_in_with_a_code_and_with_a_recovery_code(live_site, site_server, new_page):
    username = make_user(live_site, "tomas", "Comms editors")

    # 1. First sign-in: the password, then setting up the authenticator.
    page = new_page()
    sign_in_with_password(page, site_server, username)
    expect(page).to_have_url(re.compile(r"/admin/2fa/setup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)
    key = page.locator("[data-twofactor-key]").inner_text().strip()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("That code is not right")
    page.wait_for_timeout(1100)  # django-otp's pause after a wrong code (1 s)
    page.get_by_label("Code").fill(code_for(key))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.context.close()

    # 2. Next sign-in: the password, then the app's code (the next 30-second step: the
    #    one used to set up cannot be used twice).
    page = new_page()
    sign_in_with_password(page, site_server, username)
    expect(page).to_have_url(re.compile(r"/admin/2fa/verify/"))
    assert_accessible(page)
    page.get_by_label("Code").fill(code_for(key, drift=1))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.context.close()

    # 3. Phone lost: a recovery code instead, once.
    page = new_page()
    sign_in_with_password(page, site_server, username)
    expect(page).to_have_url(re.compile(r"/admin/2fa/verify/"))
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_text("You signed in with a recovery code; 9 left")).to_be_visible()
