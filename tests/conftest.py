"""Shared fixtures: the seeded site and small helpers.

The seed content is loaded once per test session into the test database; each test runs
in a transaction that is rolled back, so every test starts from the seeded site. Tests
that flush the database (live-server and transactional tests) reload it through `seeded`.
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache, caches
from django.core.files.base import ContentFile
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.documents import get_document_model

from pages import roles
from pages.models import HomePage
from sitewide.seed import load_seed_content


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_seed_content()


@pytest.fixture(autouse=True)
def _fast_passwords_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Two-factor sign-in is on in production (DEBUG off, as here); the suite's admin
    # tests sign in with a password or force_login. tests/test_two_factor.py turns it on.
    settings.REQUIRE_2FA = False
    # Large imports run in the request here, not in a process of their own, which could not
    # see the test's transaction (tests/test_import_jobs.py; the browser suite runs one).
    settings.PROJECT_IMPORT_RUNNER = "inline"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded(db):
    """The whole site as `load_seed_content` builds it."""
    if not HomePage.objects.exists():
        load_seed_content()


@pytest.fixture
def full_render(settings):
    """No whole-page cache and no kept fragments or routes, so a request's queries are
    those of a complete render (what the first visit after a change costs)."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False


@pytest.fixture
def get_html(client):
    def get(url, status=200):
        response = client.get(url)
        assert response.status_code == status, f"{url}: {response.status_code}"
        return response.content.decode()

    return get


# --- Publications and documents ---

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads go to a throwaway folder, never the working copy's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def publication_pdf(db, media_root):
    """A small PDF uploaded as a Wagtail document."""
    document = get_document_model()(title="Full report (PDF)")
    document.file.save("full-report.pdf", ContentFile(PDF_BYTES), save=False)
    document.file_size = len(PDF_BYTES)
    document.save()
    return document


@pytest.fixture(autouse=True)
def _clean_page_cache():
    """The whole-page cache lives outside the test transaction; start each test empty."""
    caches[settings.PAGE_CACHE_ALIAS].clear()
    yield
    caches[settings.PAGE_CACHE_ALIAS].clear()


# --- A user in each editorial role ---


@pytest.fixture
def make_user():
    def make(role, username=None):
        username = username or role.lower().replace(" ", "-")
        user = get_user_model().objects.create_user(
            username, f"{username}@example.org", "a-long-test-password", first_name=role
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def comms(make_user):
    return make_user(roles.COMMS_EDITORS)


@pytest.fixture
def policy(make_user):
    return make_user(roles.POLICY_TEAM)


@pytest.fixture
def moderator(make_user):
    return make_user(roles.MODERATORS)


# --- Two-factor sign-in (sitewide/twofactor.py) ---


def verified_login(client, user):
    """``client.force_login(user)`` with the session's second factor passed, as after
    typing a code from a confirmed authenticator (created here if the user has none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
