"""Nothing an editor does is lost: versions restore, abandoned forms leave nothing, and a
reviewer's decision lands on a page they may see. Through the admin's own views."""

import re

import pytest
from django.urls import reverse
from wagtail.models import Page, PageLogEntry

from pages.models import HomePage
from tests.test_roles import as_user, home, home_form, submit_publication, workflow_action

pytestmark = pytest.mark.django_db


def history(client, page):
    url = reverse("wagtailadmin_pages:history", args=(page.pk,))
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def revert_url(page, revision_id):
    return reverse("wagtailadmin_pages:revisions_revert", args=(page.pk, revision_id))


def test_every_seeded_page_has_a_first_revision():
    pages = Page.objects.filter(depth__gt=1)
    assert pages.exists()
    assert not pages.filter(latest_revision__isnull=True).exists()
    assert not pages.filter(live=True, live_revision__isnull=True).exists()


def test_the_seeded_home_pages_first_version_can_be_restored(client, comms):
    first = home().live_revision_id
    as_user(client, comms).post(
        reverse("wagtailadmin_pages:edit", args=(home().pk,)), home_form("A new headline")
    )
    assert home().headline == "A new headline"
    # Its first version's row in the history offers to review it for restoring.
    assert revert_url(home(), first) in history(client, home())
    page = client.get(revert_url(home(), first)).content.decode()
    # "Publish this version" is the main button, not hidden in the menu.
    buttons = re.findall(r'<button[^>]*name="(action-[\w-]+)"', page)
    assert buttons[0] == "action-publish", buttons


def test_every_published_row_has_its_actions(client, admin_user):
    page = Page.objects.get(slug="about")
    original = page.live_revision_id
    page.specific.save_revision(user=admin_user).publish(user=admin_user)
    html = history(as_user(client, admin_user), page)
    assert PageLogEntry.objects.filter(page=page, revision_id=original, action="wagtail.publish")
    assert revert_url(page, original) in html


def test_a_new_page_form_does_not_autosave_and_an_edit_form_does(client, comms):
    url = reverse("wagtailadmin_pages:add", args=("pages", "contentpage", home().pk))
    html = as_user(client, comms).get(url).content.decode()
    assert "data-w-autosave-interval-value" not in html
    assert "w-unsaved" in html  # leaving still warns about unsaved work
    edit = client.get(reverse("wagtailadmin_pages:edit", args=(home().pk,))).content.decode()
    assert "data-w-autosave-interval-value" in edit


def test_a_moderators_approval_lands_on_the_dashboard(client, policy, moderator):
    page = submit_publication(client, policy)
    client.logout()
    response = workflow_action(client, moderator, page, "approve")
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    landing = client.get(response.url)
    assert landing.status_code == 200
    assert "Sorry, you do not have permission" not in landing.content.decode()


def test_a_moderators_request_for_changes_lands_on_the_dashboard(client, policy, moderator):
    page = submit_publication(client, policy)
    client.logout()
    response = workflow_action(client, moderator, page, "reject", "Shorter, please.")
    assert response.url == reverse("wagtailadmin_home")


def test_a_comms_editor_still_lands_in_the_explorer(client, comms):
    response = as_user(client, comms).post(
        reverse("wagtailadmin_pages:edit", args=(home().pk,)), home_form("Back to the site")
    )
    assert response.url != reverse("wagtailadmin_home")
    assert HomePage.objects.get().headline == "Back to the site"
