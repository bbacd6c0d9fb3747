"""No daily job needs a developer: the menu, the home page's buttons, publishing ordinary
pages without sign-off, and the data migration that brings existing sites along."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from wagtail.models import Page, PageLogEntry, Workflow, WorkflowPage
from wagtail.test.utils.form_data import nested_form_data, streamfield

from pages import roles, versions
from pages.models import ContentPage, HomePage, MainMenu
from partnerships.models import ProjectPage
from tests.test_roles import as_user, home
from tests.test_roles_http import edit_url

pytestmark = pytest.mark.django_db

MIGRATION = ("pages", "0008_admin_menu_history_buttons")


def historical_apps():
    return MigrationExecutor(connection).loader.project_state(MIGRATION, at_end=True).apps


def menu_url():
    site = home().get_site()
    return reverse("wagtailsettings:edit", args=("pages", "mainmenu", site.pk))


# --- The main menu -------------------------------------------------------------------


def test_comms_editor_changes_the_menu_and_it_is_live_at_once(client, comms):
    about = Page.objects.get(slug="about")
    assert client.get("/").status_code == 200  # the page is now kept in the cache
    as_user(client, comms)
    assert client.get(menu_url()).status_code == 200
    data = nested_form_data(
        {
            "items": streamfield(
                [
                    ("link", {"page": about.pk, "url": "", "label": "Who we are"}),
                    ("link", {"page": "", "url": "https://example.org/give", "label": "Give"}),
                ]
            )
        }
    )
    assert client.post(menu_url(), data).status_code == 302
    client.logout()
    html = client.get("/").content.decode()
    assert 'href="/about/">Who we are</a>' in html
    assert 'href="https://example.org/give">Give</a>' in html


def test_policy_team_and_moderators_cannot_change_the_menu(client, policy, moderator):
    for user in (policy, moderator):
        assert as_user(client, user).get(menu_url()).status_code in (302, 403)
        client.post(menu_url(), nested_form_data({"items": streamfield([])}))
    assert not MainMenu.objects.exists()


# --- The home page's buttons -----------------------------------------------------------


def test_the_seeded_buttons_are_content_in_the_first_version():
    page = home()
    labels = [block.value["label"] for block in page.hero_links]
    assert labels == ["Explore our work", "Read our publications"]
    first = page.revisions.order_by("pk").first().as_object()
    assert [block.value["label"] for block in first.hero_links] == labels


def test_adding_a_third_button_keeps_the_two(client, comms):
    page = home()
    html = as_user(client, comms).get(edit_url(page)).content.decode()
    assert "Explore our work" in html  # the editor sees the two buttons as blocks
    links = [("link", dict(block.value)) for block in page.hero_links]
    links.append(("link", {"page": None, "url": "https://example.org/give", "label": "Donate"}))
    page.hero_links = links
    page.save_revision().publish()
    client.logout()
    html = client.get("/").content.decode()
    for label in ("Explore our work", "Read our publications", "Donate"):
        assert label in html


def test_the_migration_stores_the_buttons_on_an_existing_site(client):
    page = home()
    HomePage.objects.filter(pk=page.pk).update(hero_links=[])
    versions.store_home_buttons(historical_apps())
    page = home()
    assert [block.value["label"] for block in page.hero_links] == [
        "Explore our work",
        "Read our publications",
    ]
    assert page.live_revision.as_object().hero_links[0].value["page"].slug == "our-work"
    html = client.get("/").content.decode()
    assert 'href="/our-work/">Explore our work</a>' in html
    count = page.revisions.count()
    versions.store_home_buttons(historical_apps())  # idempotent
    assert home().revisions.count() == count


# --- Only policy pages go through sign-off ----------------------------------------------


def test_wagtails_stock_workflow_is_offered_nowhere(client, comms):
    stock = Workflow.objects.filter(name=roles.STOCK_WORKFLOW).first()
    assert stock is None or not stock.active
    assert not WorkflowPage.objects.filter(workflow__name=roles.STOCK_WORKFLOW).exists()
    project = ProjectPage.objects.first()
    assert project.get_workflow() is None
    html = as_user(client, comms).get(edit_url(project)).content.decode()
    assert "Moderators approval" not in html
    assert 'name="action-publish"' in html


def test_the_migration_takes_the_stock_workflow_off_the_root():
    stock, _ = Workflow.objects.get_or_create(name=roles.STOCK_WORKFLOW, defaults={"active": True})
    Workflow.objects.filter(pk=stock.pk).update(active=True)
    WorkflowPage.objects.create(page=Page.get_first_root_node(), workflow=stock)
    assert Page.objects.get(slug="about").get_workflow() == stock
    roles.retire_stock_workflow(historical_apps())
    assert Page.objects.get(slug="about").get_workflow() is None
    assert not Workflow.objects.get(pk=stock.pk).active


# --- Pages without a first revision -----------------------------------------------------


def test_the_migration_gives_a_page_without_revisions_its_first(client, admin_user):
    page = ContentPage(title="Made in code", slug="made-in-code", introduction="As it was.")
    home().add_child(instance=page)
    assert page.latest_revision_id is None
    versions.give_pages_a_first_revision(historical_apps())
    page.refresh_from_db()
    assert page.live_revision_id == page.latest_revision_id is not None
    assert page.live_revision.as_object().introduction == "As it was."
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()
    # Edited since, its first version is offered for restoring in the history.
    page.introduction = "Changed."
    page.save_revision().publish()
    url = reverse("wagtailadmin_pages:history", args=(page.pk,))
    first = page.revisions.order_by("pk").first()
    revert = reverse("wagtailadmin_pages:revisions_revert", args=(page.pk, first.pk))
    assert revert in as_user(client, admin_user).get(url).content.decode()
    assert client.get(revert).status_code == 200
    count = page.revisions.count()
    versions.give_pages_a_first_revision(historical_apps())  # idempotent
    assert page.revisions.count() == count
