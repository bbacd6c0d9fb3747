"""The launch date is part of the publication's content.

One field, filled in by the policy officer, is both the date readers see and the launch:
a moderator who approves a publication dated next month schedules it (and is told so,
with the date); the page and its PDF stay hidden until then and appear after. The author
sees why changes were requested where they land, and the dashboard shows each planned
launch in one panel.
"""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from policy.models import PublicationPage, launch_moment
from tests.test_roles import as_user, submit_publication, workflow_action

pytestmark = pytest.mark.django_db


NEXT_MONTH = timezone.localdate() + datetime.timedelta(days=31)


def download_status(client, document):
    response = client.get(document.url)
    if response.status_code == 200:
        b"".join(response.streaming_content)
    return response.status_code


def test_approving_a_publication_dated_next_month_schedules_it(
    client, policy, moderator, publication_pdf
):
    page = submit_publication(
        client,
        policy,
        publication_date=NEXT_MONTH.isoformat(),
        document=publication_pdf.pk,
    )
    client.logout()
    # The moderator's approve buttons say when it will go live.
    html = as_user(client, moderator).get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    launch_words = launch_moment(NEXT_MONTH).strftime("%-d %B %Y")
    assert f"Approve and Publish on {launch_words}, 00:00" in html.content.decode()
    # Approved today, it is scheduled, not live: neither the page nor its PDF.
    assert workflow_action(client, moderator, page, "approve").status_code == 302
    page.refresh_from_db()
    assert not page.live
    assert page.latest_revision.approved_go_live_at == launch_moment(NEXT_MONTH)
    client.logout()
    assert client.get(f"/publications/{page.slug}/").status_code == 404
    assert download_status(client, publication_pdf) == 404
    call_command("publish_scheduled")  # cron runs today: nothing happens
    assert client.get(f"/publications/{page.slug}/").status_code == 404
    # On the launch date it goes live, with its file.
    with time_machine.travel(launch_moment(NEXT_MONTH) + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled")
        page.refresh_from_db()
        assert page.live
        assert client.get(f"/publications/{page.slug}/").status_code == 200
        assert download_status(client, publication_pdf) == 200


def test_a_publication_dated_today_or_earlier_goes_live_on_approval(client, policy, moderator):
    page = submit_publication(client, policy, publication_date=timezone.localdate().isoformat())
    workflow_action(client, moderator, page, "approve")
    page.refresh_from_db()
    assert page.live


def test_a_later_go_live_time_is_kept_and_moving_the_date_moves_the_launch(policy):
    page = PublicationPage(title="x", publication_date=NEXT_MONTH, summary="s")
    page.hold_until_launch()
    assert page.go_live_at == launch_moment(NEXT_MONTH)
    ten_am = launch_moment(NEXT_MONTH) + datetime.timedelta(hours=10)
    page.go_live_at = ten_am
    page.hold_until_launch()
    assert page.go_live_at == ten_am  # a time on the day, set with "Set schedule"
    page.go_live_at = launch_moment(NEXT_MONTH)
    page.publication_date = NEXT_MONTH - datetime.timedelta(days=7)  # launch brought forward
    page.hold_until_launch()
    assert page.go_live_at == launch_moment(page.publication_date)
    page.publication_date = timezone.localdate() - datetime.timedelta(days=1)
    page.hold_until_launch()
    assert page.go_live_at is None  # dated in the past: live as soon as approved


def test_the_author_sees_the_moderators_comment_where_they_land(client, policy, moderator):
    page = submit_publication(client, policy)
    workflow_action(client, moderator, page, "reject", "Add the sources of the figures.")
    client.logout()
    as_user(client, policy)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Sent back for changes" in dashboard
    assert "Add the sources of the figures." in dashboard
    editor = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content.decode()
    assert "asked for changes: “Add the sources of the figures.”" in editor


def test_the_dashboard_has_one_sign_off_panel_with_planned_launches(client, policy, moderator):
    submit_publication(client, policy, publication_date=NEXT_MONTH.isoformat())
    client.logout()
    html = as_user(client, moderator).get(reverse("wagtailadmin_home")).content.decode()
    assert "Awaiting sign-off" in html
    assert launch_moment(NEXT_MONTH).strftime("%-d %B %Y") in html
    # Wagtail's own workflow panels would list the same submission again.
    assert "Awaiting your review" not in html
    assert "Your pages in a workflow" not in html
    assert html.count("Workforce briefing") == 1
