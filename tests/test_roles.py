"""The three editorial roles and the "Policy sign-off" workflow.

Each role can do its job through the admin and cannot do the others'. Publications go
through sign-off by a Moderator; the team is emailed; a rejection keeps the editor's
revision and the moderator's comment; scheduled publishing works through the workflow.
"""

import datetime
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import (
    Comment,
    GroupPagePermission,
    Page,
    Site,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    get_page_models,
)
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from pages import roles
from pages.models import HomePage, SiteFooter
from policy.models import PolicyWorkPage, PublicationIndexPage, PublicationPage, PublicationType
from policy.signoff import SignOffRequired, sign_off_models

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def home():
    return HomePage.objects.get()


def home_form(headline, action="action-publish"):
    page = home()
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "headline": headline,
            "introduction": page.introduction,
            "vision": page.vision,
            "mission": page.mission,
            "hero_links": streamfield([]),  # the home page buttons
            "statistics": streamfield(
                [("statistic", {"figure": "200+", "label": "partnerships", "source": "THET"})]
            ),
            "body": streamfield([("paragraph", rich_text("<p>Why health workers.</p>"))]),
        }
    )
    data[action] = "1"
    return data


def publication_form(title="Workforce briefing", slug="workforce-briefing", **extra):
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "publication_type": PublicationType.objects.get(slug="briefing").pk,
            "publication_date": "2026-03-01",
            "summary": "What the spending review means for the health workforce.",
            "body": streamfield([("paragraph", rich_text("<p>Our analysis.</p>"))]),
            **extra,
        }
    )
    data["action-submit"] = "1"
    return data


def add_publication_url():
    index = PublicationIndexPage.objects.get()
    return reverse("wagtailadmin_pages:add", args=("policy", "publicationpage", index.pk))


def submit_publication(client, user, **extra):
    response = as_user(client, user).post(add_publication_url(), publication_form(**extra))
    assert response.status_code == 302, response.content.decode()[:2000]
    return PublicationPage.objects.get(slug=extra.get("slug", "workforce-briefing"))


def workflow_action(client, user, page, action, comment=""):
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))
    return as_user(client, user).post(url, {"comment": comment})


# --- Setup: the roles exist on every install, the grants on the policy pages -------


def test_roles_exist_with_their_permissions():
    comms, policy, moderators = (Group.objects.get(name=n) for n in roles.ROLE_NAMES)
    assert {"change_sitefooter", "add_redirect", "delete_country"} <= set(
        comms.permissions.values_list("codename", flat=True)
    )
    assert "change_sitefooter" not in policy.permissions.values_list("codename", flat=True)
    assert list(moderators.permissions.values_list("codename", flat=True)) == ["access_admin"]
    # Comms editors' page rights are on the home page, so the explorer opens at the site.
    assert set(
        GroupPagePermission.objects.filter(group=comms, page=home()).values_list(
            "permission__codename", flat=True
        )
    ) >= {"add_page", "change_page", "publish_page"}
    assert not GroupPagePermission.objects.filter(group=comms, page__depth=1).exists()
    # Wagtail's stock Moderators could edit the whole tree; ours only approve, which
    # publishes without any page permission (pages.roles.publish_approved_revision).
    assert not GroupPagePermission.objects.filter(group=moderators).exists()


def test_policy_pages_are_under_sign_off_and_granted_to_the_policy_team():
    sign_off = Workflow.objects.get(name=roles.POLICY_SIGN_OFF)
    task = sign_off.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == [roles.MODERATORS]
    for page in (PublicationIndexPage.objects.get(), PolicyWorkPage.objects.get()):
        assert page.get_workflow() == sign_off
    publication = PublicationPage.objects.first()
    assert publication.get_workflow() == sign_off  # inherited from the index
    grants = set(
        GroupPagePermission.objects.filter(group__name=roles.POLICY_TEAM).values_list(
            "page__title", "permission__codename"
        )
    )
    assert grants == {
        ("Publications", "add_page"),
        ("Publications", "change_page"),
        ("Policy Work", "change_page"),
    }
    # The home page is not under the policy workflow.
    assert home().get_workflow() != sign_off


def test_data_migration_grants_on_a_site_that_already_has_its_pages():
    """Run the real migration (historical models) on the seeded site after wiping."""
    Group.objects.filter(name__in=[roles.COMMS_EDITORS, roles.POLICY_TEAM]).delete()
    Workflow.objects.filter(name=roles.POLICY_SIGN_OFF).delete()
    WorkflowPage.objects.exclude(page__depth=1).delete()
    state = MigrationExecutor(connection).loader.project_state(
        ("pages", "0002_roles_and_policy_sign_off"), at_end=True
    )
    migration = __import__("pages.migrations.0002_roles_and_policy_sign_off", fromlist=["forwards"])
    migration.forwards(state.apps, None)
    test_policy_pages_are_under_sign_off_and_granted_to_the_policy_team()
    migration.forwards(state.apps, None)  # idempotent
    assert Workflow.objects.filter(name=roles.POLICY_SIGN_OFF).count() == 1
    assert GroupPagePermission.objects.filter(group__name=roles.POLICY_TEAM).count() == 3


def test_a_policy_page_created_later_gets_its_grants_and_workflow(admin_client):
    """Fresh install: migrations run before any policy page exists."""
    PublicationIndexPage.objects.get().delete()
    assert (
        not GroupPagePermission.objects.filter(group__name=roles.POLICY_TEAM)
        .exclude(page__title="Policy Work")
        .exists()
    )
    data = nested_form_data({"title": "Publications", "slug": "publications"})
    data["action-publish"] = "1"
    url = reverse("wagtailadmin_pages:add", args=("policy", "publicationindexpage", home().pk))
    assert admin_client.post(url, data).status_code == 302
    index = PublicationIndexPage.objects.get()
    assert index.get_workflow().name == roles.POLICY_SIGN_OFF
    assert GroupPagePermission.objects.filter(
        group__name=roles.POLICY_TEAM, page=index, permission__codename="add_page"
    ).exists()
    roles.ensure_policy_pages(django_apps)  # the seed loader's call adds nothing twice
    assert GroupPagePermission.objects.filter(group__name=roles.POLICY_TEAM).count() == 3


# --- Comms editors ------------------------------------------------------------------


def test_comms_editor_edits_and_publishes_the_home_page(client, comms):
    url = reverse("wagtailadmin_pages:edit", args=(home().pk,))
    assert as_user(client, comms).get(url).status_code == 200
    response = client.post(url, home_form("Health workers, trained together"))
    assert response.status_code == 302
    assert home().headline == "Health workers, trained together"
    client.logout()
    assert "Health workers, trained together" in client.get("/").content.decode()


def test_comms_editor_manages_footer_redirects_images_and_snippets(client, comms):
    site = Site.objects.get(is_default_site=True)
    as_user(client, comms)
    footer_url = reverse("wagtailsettings:edit", args=("pages", "sitefooter", site.pk))
    assert client.get(footer_url).status_code == 200
    response = client.post(
        footer_url,
        nested_form_data(
            {
                "organisation_name": "Global Health Partnerships",
                "address": "1 Wimpole Street",
                "charity_number": "1113101",
                "company_number": "",
                "email": "info@example.org",
                "social_links": streamfield([]),
                "links": streamfield([]),
            }
        ),
    )
    assert response.status_code == 302
    assert SiteFooter.objects.get(site=site).organisation_name == "Global Health Partnerships"
    assert client.get(reverse("wagtailredirects:add")).status_code == 200
    assert client.get(reverse("wagtailimages:add")).status_code == 200
    assert client.get(reverse("wagtaildocs:add")).status_code == 200
    assert client.get("/admin/snippets/partnerships/country/add/").status_code == 200


def test_comms_editor_cannot_manage_users(client, comms):
    response = as_user(client, comms).get(reverse("wagtailusers_users:index"))
    assert response.status_code in (302, 403)
    assert response.status_code != 200


# --- Policy team --------------------------------------------------------------------


def test_policy_team_creates_and_submits_a_publication(client, policy, moderator):
    page = submit_publication(client, policy)
    assert not page.live  # nothing goes live without sign-off
    state = page.current_workflow_state
    assert state.workflow.name == roles.POLICY_SIGN_OFF
    assert state.requested_by == policy
    assert page.current_workflow_task.name == roles.MODERATOR_TASK
    # The moderators are told by email, with a link to the page.
    assert any(moderator.email in m.to for m in mail.outbox)
    message = next(m for m in mail.outbox if moderator.email in m.to)
    assert "Workforce briefing" in message.subject + message.body


def test_policy_team_cannot_publish_directly(client, policy):
    data = publication_form()
    del data["action-submit"]
    data["action-publish"] = "1"
    as_user(client, policy).post(add_publication_url(), data)
    page = PublicationPage.objects.get(slug="workforce-briefing")
    assert not page.live
    assert page.current_workflow_state is None  # saved as a draft only


def test_policy_team_edits_policy_work(client, policy):
    page = PolicyWorkPage.objects.get()
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    assert as_user(client, policy).get(url).status_code == 200


def test_policy_team_uploads_a_pdf(client, policy):
    as_user(client, policy)
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Workforce briefing PDF",
            "file": ContentFile(b"%PDF-1.4 test", name="briefing.pdf"),
            "collection": 1,
        },
    )
    assert response.status_code == 302
    assert get_document_model().objects.filter(title="Workforce briefing PDF").exists()


def test_policy_team_cannot_touch_home_settings_or_other_pages(client, policy):
    as_user(client, policy)
    before = home().headline
    url = reverse("wagtailadmin_pages:edit", args=(home().pk,))
    assert client.get(url).status_code != 200
    client.post(url, home_form("Hijacked"))
    assert home().headline == before
    about = Page.objects.get(slug="about")
    assert client.get(reverse("wagtailadmin_pages:edit", args=(about.pk,))).status_code != 200
    site = Site.objects.get(is_default_site=True)
    footer_url = reverse("wagtailsettings:edit", args=("pages", "sitefooter", site.pk))
    assert client.get(footer_url).status_code != 200
    assert client.get(reverse("wagtailredirects:add")).status_code != 200
    assert client.get("/admin/snippets/partnerships/country/add/").status_code != 200


# --- Moderators ---------------------------------------------------------------------


def test_moderator_cannot_edit_or_create(client, moderator):
    as_user(client, moderator)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    url = reverse("wagtailadmin_pages:edit", args=(home().pk,))
    assert client.get(url).status_code != 200
    client.post(url, home_form("Moderated"))
    assert home().headline != "Moderated"
    client.post(add_publication_url(), publication_form(slug="by-moderator"))
    assert not PublicationPage.objects.filter(slug="by-moderator").exists()
    assert client.get(reverse("wagtailimages:add")).status_code != 200


def test_moderator_approves_and_it_goes_live(client, policy, moderator):
    page = submit_publication(client, policy)
    mail.outbox.clear()
    client.logout()
    # The moderator can open the submitted page to review it.
    review = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    assert as_user(client, moderator).get(review).status_code == 200
    response = workflow_action(client, moderator, page, "approve", "Good to go.")
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.current_workflow_state is None
    client.logout()
    assert "Workforce briefing" in client.get(page.url).content.decode()
    assert "Workforce briefing" in client.get("/publications/").content.decode()
    assert any(policy.email in m.to for m in mail.outbox)  # the editor hears back


def test_policy_team_cannot_approve_its_own_work(client, policy):
    page = submit_publication(client, policy)
    response = workflow_action(client, policy, page, "approve")
    assert response.status_code in (302, 403)
    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_state is not None


def test_rejection_keeps_the_revision_and_the_comment(client, policy, moderator):
    page = submit_publication(client, policy)
    submitted_revision = page.latest_revision
    mail.outbox.clear()
    workflow_action(client, moderator, page, "reject", "Please add the launch date.")
    page.refresh_from_db()
    assert not page.live
    # The editor's work is still there, as the latest revision...
    assert page.latest_revision == submitted_revision
    assert page.latest_revision.as_object().summary.startswith("What the spending review")
    # ...with the moderator's comment on the rejected task.
    task_state = TaskState.objects.get(revision=submitted_revision)
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.get_comment() == "Please add the launch date."
    assert page.workflow_states.get().status == WorkflowState.STATUS_NEEDS_CHANGES
    assert any(policy.email in m.to for m in mail.outbox)
    # The editor sees the comment when they open the page again.
    client.logout()
    html = as_user(client, policy).get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    assert "Please add the launch date." in html.content.decode()


def test_scheduled_publication_goes_live_after_approval_and_its_date(client, policy, moderator):
    launch = timezone.now() + datetime.timedelta(days=3)
    page = submit_publication(client, policy, go_live_at=launch.strftime("%Y-%m-%d %H:%M"))
    workflow_action(client, moderator, page, "approve")
    page.refresh_from_db()
    assert not page.live  # approved, but its launch is still to come
    revision = page.latest_revision
    assert revision.approved_go_live_at is not None
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live
    launch_day = launch + datetime.timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=launch_day):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    client.logout()
    assert "Workforce briefing" in client.get(page.url).content.decode()


def test_comments_are_kept_on_the_page(client, policy):
    page = submit_publication(client, policy)
    Comment.objects.create(
        page=page,
        user=policy,
        text="Check the figures with finance.",
        contentpath="summary",
        revision_created=page.latest_revision,
    )
    html = as_user(client, policy).get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    assert "Check the figures with finance." in html.content.decode()


def test_one_list_of_sign_off_page_types():
    """The page types the roles and the workflow are set up for (``pages.roles``) are
    exactly those whose permissions require sign-off (``SignOffRequired``)."""
    listed = set(sign_off_models())
    mixed_in = {model for model in get_page_models() if issubclass(model, SignOffRequired)}
    assert listed == mixed_in == {PublicationIndexPage, PolicyWorkPage, PublicationPage}
    roots = {django_apps.get_model(app, name) for app, name in roles.POLICY_PAGE_MODELS}
    assert roots <= listed
