"""Editing comfort and "nothing lost" in the admin.

Help text on every field, tabs, block icons/labels/previews, page previews, snippets with
search and filters, the content checker in the userbar, the dashboard panel; revisions
and rollback for every page type, snippet deletion guarded by usage, page locking and
the concurrent-editing warning.
"""

import datetime
import json
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail import blocks
from wagtail.admin.userbar import Userbar
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageBlock
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from pages import roles
from pages.blocks import BodyBlock
from pages.models import ContentPage, HomePage
from pages.wagtail_hooks import THETContentChecker
from partnerships.models import Country, HealthTheme, PartnerOrganisation
from policy.models import PublicationPage, PublicationType, Topic
from policy.signoff import SignOffRequired

pytestmark = pytest.mark.django_db

OUR_APPS = ("pages", "policy", "partnerships")


def our_models():
    for app_label in OUR_APPS:
        yield from apps.get_app_config(app_label).get_models()


def page_models():
    return [m for m in our_models() if issubclass(m, Page)]


def user_in(role, username):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", "a-long-test-password", first_name=username.title()
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def comms():
    return user_in(roles.COMMS_EDITORS, "carol")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- Help text, tabs, blocks --------------------------------------------------------


def test_every_field_an_editor_sees_has_help_text():
    missing = []
    for model in our_models():
        base_fields = (
            {f.name for f in Page._meta.get_fields()} if issubclass(model, Page) else set()
        )
        for field in model._meta.get_fields():
            if (
                not isinstance(field, models.Field)
                or field.auto_created
                or not field.editable
                or field.name in base_fields
                or field.name.endswith("_ptr")
                or field.name in ("sort_order", "site", "page")
            ):
                continue
            if not str(field.help_text).strip():
                missing.append(f"{model.__name__}.{field.name}")
    assert missing == []


def walk_blocks(block, path):
    yield path, block
    if isinstance(block, ImageBlock):
        return  # Wagtail's own image, alt text and "decorative" fields
    if isinstance(block, blocks.StructBlock | blocks.StreamBlock):
        for name, child in block.child_blocks.items():
            yield from walk_blocks(child, f"{path}.{name}")
    elif isinstance(block, blocks.ListBlock):
        yield from walk_blocks(block.child_block, f"{path}[]")


def test_every_block_has_an_icon_a_label_and_help():
    body = BodyBlock()
    for name, block in body.child_blocks.items():
        assert block.meta.icon and block.meta.icon != "placeholder", name
        assert block.label and block.label != name, name
        assert block.get_description(), f"{name} has no description for the block picker"
    missing = []
    for name, block in body.child_blocks.items():
        if not isinstance(block, blocks.StructBlock):
            continue
        for path, child in walk_blocks(block, name):
            if path == name or path.endswith("[]") or isinstance(child, blocks.StructBlock):
                continue
            help_text = getattr(child.meta, "help_text", None) or getattr(
                getattr(child, "field", None), "help_text", ""
            )
            if not str(help_text or "").strip():
                missing.append(path)
    assert missing == []


def test_block_picker_previews_render(admin_client):
    body = BodyBlock()
    previewable = [n for n, b in body.child_blocks.items() if b.is_previewable]
    assert set(previewable) == set(body.child_blocks)  # every block has a preview
    for name in previewable:
        block = body.child_blocks[name]
        response = admin_client.get(
            reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
        )
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "/static/css/site.css" in html  # styled like the site
    html = admin_client.get(
        reverse("wagtailadmin_block_preview"),
        {"id": body.child_blocks["statistics"].definition_prefix},
    ).content.decode()
    assert "93,112" in html or "2,000+" in html
    # Blocks that pick from a library show its content; the others an example.
    for name, expected in [
        ("featured_pages", '<h3 class="card__title">'),
        ("table", "Health workers trained"),
        ("embed", "Health partnerships in action"),
        ("document", "Read the full report"),
        ("image", '<figure class="figure">'),
    ]:
        html = admin_client.get(
            reverse("wagtailadmin_block_preview"), {"id": body.child_blocks[name].definition_prefix}
        ).content.decode()
        assert expected in html, name


def test_page_editors_have_content_promote_and_settings_tabs():
    for model in page_models():
        tabs = [str(child.heading) for child in model.get_edit_handler().children]
        assert tabs == ["Content", "Promote", "Settings"], model.__name__


def test_every_seeded_page_type_previews(seeded):
    seen = set()
    for page in Page.objects.exclude(depth=1).specific():
        if type(page) in seen:
            continue
        seen.add(type(page))
        response = page.make_preview_request()
        assert response.status_code == 200, type(page).__name__
        assert page.title.split(":")[0] in response.content.decode()
    assert {m for m in page_models() if not m._meta.abstract} <= seen


def test_admin_preview_of_an_unsaved_headline(client, comms):
    client.force_login(comms)
    home = HomePage.objects.get()
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(home.pk,))
    data = nested_form_data(
        {
            "title": home.title,
            "slug": home.slug,
            "headline": "A headline still in draft",
            "introduction": home.introduction,
            "hero_links": streamfield([]),  # the home page buttons
            "statistics": streamfield([]),
            "body": streamfield([("paragraph", rich_text("<p>Draft.</p>"))]),
        }
    )
    assert json.loads(client.post(url, data).content)["is_valid"]
    html = client.get(url).content.decode()
    assert "A headline still in draft" in html
    client.logout()
    assert "A headline still in draft" not in client.get("/").content.decode()


def test_snippets_are_in_the_menu_with_search_and_filters(admin_client):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    for label in ("Project tags", "Publication tags"):
        assert label in html
    for model in (HealthTheme, PartnerOrganisation, PublicationType, Topic):
        url = reverse(f"wagtailsnippets_{model._meta.app_label}_{model._meta.model_name}:list")
        assert admin_client.get(url).status_code == 200
    url = reverse("wagtailsnippets_partnerships_partnerorganisation:list")
    html = admin_client.get(url, {"q": "Nottingham"}).content.decode()
    assert "Nottingham University Hospital" in html
    assert "Mirembe Hospital" not in html
    html = admin_client.get(url, {"location": "overseas"}).content.decode()
    assert "Mirembe Hospital" in html
    assert "Nottingham University Hospital" not in html


# --- The content checker in the userbar ---------------------------------------------


def userbar_config(client, url):
    html = client.get(url).content.decode()
    match = re.search(
        r'<script id="checker-axe-configuration" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    assert match, "no content checker in the userbar"
    return json.loads(match.group(1))


def test_userbar_runs_wagtails_checker_and_our_checks(client, comms):
    client.force_login(comms)
    config = userbar_config(client, "/")
    run_only = config["options"]["runOnly"]
    # Wagtail's own checks are still there...
    assert {"heading-order", "link-name", "alt-text-quality"} <= set(run_only)
    # ...with ours.
    assert {"thet-statistic-source", "thet-image-alt-or-decorative"} <= set(run_only)
    rules = {rule["id"]: rule for rule in config["spec"]["rules"]}
    checks = {check["id"]: check for check in config["spec"]["checks"]}
    assert rules["thet-statistic-source"]["selector"] == ".statistic"
    assert checks["thet-statistic-has-source"]["options"]["selector"] == ".statistic__source"
    assert "Statistic without a source" in json.dumps(config["messages"])


def test_the_checks_target_what_our_templates_render(get_html):
    """A statistic with no source has no source element; with one, it has."""
    about = ContentPage.objects.get(slug="about")
    about.body.append(
        ("statistics", {"heading": "", "statistics": [{"figure": "42", "label": "unsourced"}]})
    )
    about.save_revision().publish()
    html = get_html("/about/")
    statistics = re.findall(r'<div class="statistic">(.*?)</div>', html, re.S)
    unsourced = [s for s in statistics if "unsourced" in s]
    assert unsourced and all("statistic__source" not in s for s in unsourced)
    html = get_html("/about/")
    sourced = [s for s in re.findall(r'<div class="statistic">(.*?)</div>', html, re.S)]
    assert any("World Health Organization" in s and "statistic__source" in s for s in sourced)


def test_decorative_images_are_marked_for_the_checker(client, media_root):
    """Hero images and images an editor marked decorative carry data-decorative; an
    image with alt text does not, so the checker only flags unmarked empty alt text."""
    photo = get_image_model().objects.create(
        title="Midwives in Kathmandu", file=get_test_image_file("midwives.png")
    )
    about = ContentPage.objects.get(slug="about")
    about.hero_image = photo
    about.body = [
        {"type": "image", "value": {"image": {"image": photo.pk, "decorative": True}}},
        {
            "type": "image",
            "value": {
                "image": {"image": photo.pk, "alt_text": "Two midwives at work"},
                "caption": "Training in Kathmandu",
            },
        },
    ]
    about.save_revision().publish()
    html = client.get("/about/").content.decode()
    images = re.findall(r"<img [^>]*>", html)
    decorative = [tag for tag in images if 'alt=""' in tag and "/static/" not in tag]
    assert len(decorative) == 2  # the hero and the block marked decorative
    assert all('data-decorative="true"' in tag for tag in decorative)
    described = [tag for tag in images if 'alt="Two midwives at work"' in tag]
    assert len(described) == 1
    assert "data-decorative" not in described[0]


def test_checker_item_replaces_wagtails_everywhere(rf, comms):
    request = rf.get("/")
    request.user = comms
    html = Userbar(object=HomePage.objects.get()).render_html({"request": request})
    assert "thet-statistic-source" in html
    assert THETContentChecker.axe_run_only.count("thet-statistic-source") == 1


# --- Dashboard ----------------------------------------------------------------------


def test_dashboard_shows_what_awaits_sign_off_and_what_is_scheduled(comms):
    policy = user_in(roles.POLICY_TEAM, "priya")
    moderator = user_in(roles.MODERATORS, "mo")
    submitted = PublicationPage.objects.get(slug="in-our-mutual-interest")
    submitted.title = "Mutual interest, revised"
    revision = submitted.save_revision(user=policy)
    submitted.get_workflow().start(submitted, policy)
    scheduled = PublicationPage.objects.get(slug="the-transition-from-aid")
    scheduled.go_live_at = timezone.now() + datetime.timedelta(days=7)
    scheduled.save_revision(user=comms).publish()
    for user in (comms, moderator, policy):
        html = logged_in(user).get(reverse("wagtailadmin_home")).content.decode()
        assert "Sign-off and launches" in html
        awaiting = html.split("Awaiting sign-off")[1].split("Scheduled to go live")[0]
        assert "Mutual interest, revised" in awaiting
        assert "Priya" in awaiting
        launches = html.split("Scheduled to go live")[1]
        assert "The Transition from Aid" in launches
    assert revision.pk


def test_dashboard_panel_queries_do_not_grow(comms, django_assert_max_num_queries):
    policy = user_in(roles.POLICY_TEAM, "priya")
    client = logged_in(comms)
    client.get(reverse("wagtailadmin_home"))
    for page in PublicationPage.objects.all():
        page.save_revision(user=policy)
        page.get_workflow().start(page, policy)
    with django_assert_max_num_queries(80):
        response = client.get(reverse("wagtailadmin_home"))
    assert response.content.decode().count("Policy sign-off: Moderator sign-off") == 5


# --- Nothing lost -------------------------------------------------------------------


def test_revisions_and_rollback_for_every_page_type(comms):
    client = logged_in(comms)
    done = set()
    for page in Page.objects.exclude(depth=1).specific():
        if type(page) in done:
            continue
        done.add(type(page))
        original_title = page.title
        first = page.save_revision(user=comms)
        first.publish()
        page.title = "Changed by mistake"
        page.save_revision(user=comms).publish()
        history = client.get(reverse("wagtailadmin_pages:history", args=(page.pk,)))
        assert history.status_code == 200
        revert_url = reverse("wagtailadmin_pages:revisions_revert", args=(page.pk, first.pk))
        html = client.get(revert_url).content.decode()
        assert original_title.replace("&", "&amp;") in html, type(page).__name__
        if isinstance(page, SignOffRequired):  # only through sign-off, or a superuser
            with pytest.raises(PermissionDenied):
                first.publish(user=comms)
            first.publish()
        else:
            first.publish(user=comms)  # what "publish" on the reverted form does
        page.refresh_from_db()
        assert page.title == original_title
        assert page.live
    assert {m for m in page_models() if not m._meta.abstract} <= done


def test_deleting_a_snippet_in_use_is_refused_with_the_pages_using_it(admin_client):
    topic = Topic.objects.get(slug="diaspora")
    delete_url = reverse("wagtailsnippets_policy_topic:delete", args=(topic.pk,))
    for method in (admin_client.get, admin_client.post):
        response = method(delete_url, follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert "cannot be deleted: 2 pages use it" in html
        assert "Experts in Our Midst" in html
        assert "General Election 2024 Briefing" in html
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert PublicationPage.objects.filter(topics=topic).count() == 2


def test_deleting_a_country_in_use_is_refused_in_bulk_too(admin_client):
    nepal = Country.objects.get(iso_code="NP")
    unused = Country.objects.create(name="Malawi", slug="malawi", iso_code="MW")
    url = reverse("wagtail_bulk_action", args=("partnerships", "country", "delete"))
    response = admin_client.post(
        f"{url}?id={nepal.pk}&id={unused.pk}", {"confirm": "yes"}, follow=True
    )
    assert "cannot be deleted" in response.content.decode()
    assert Country.objects.filter(pk__in=[nepal.pk, unused.pk]).count() == 2


def test_an_unused_snippet_can_still_be_deleted(admin_client):
    topic = Topic.objects.create(name="Unused", slug="unused")
    url = reverse("wagtailsnippets_policy_topic:delete", args=(topic.pk,))
    assert admin_client.post(url).status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists()


def test_snippet_search_survives_awkward_queries(admin_client):
    url = reverse("wagtailsnippets_partnerships_partnerorganisation:list")
    for query in ['"', "'>", "name:", "NEAR(", "*", "a OR"]:
        assert admin_client.get(url, {"q": query}).status_code == 200, query


def test_a_locked_page_cannot_be_saved_by_someone_else(comms):
    other = user_in(roles.COMMS_EDITORS, "dan")
    home = HomePage.objects.get()
    carol = logged_in(comms)
    assert carol.post(reverse("wagtailadmin_pages:lock", args=(home.pk,))).status_code == 302
    home.refresh_from_db()
    assert home.locked and home.locked_by == comms
    dan = logged_in(other)
    data = nested_form_data(
        {
            "title": home.title,
            "slug": home.slug,
            "headline": "Dan's headline",
            "introduction": home.introduction,
            "hero_links": streamfield([]),  # the home page buttons
            "statistics": streamfield([]),
            "body": streamfield([]),
        }
    )
    data["action-publish"] = "1"
    response = dan.post(reverse("wagtailadmin_pages:edit", args=(home.pk,)), data)
    assert response.status_code in (200, 302)
    home.refresh_from_db()
    assert home.headline != "Dan's headline"
    html = dan.get(reverse("wagtailadmin_pages:edit", args=(home.pk,))).content.decode()
    assert "locked" in html.lower()


def test_concurrent_editors_are_told_about_each_other(comms):
    """Wagtail's editing sessions: who else has the page open, and who saved meanwhile."""
    other = user_in(roles.COMMS_EDITORS, "dan")
    home = HomePage.objects.get()
    loaded = home.latest_revision

    def ping(client, url, **data):
        response = client.post(url, data)
        assert response.status_code == 200
        return response.json()

    carol, dan = logged_in(comms), logged_in(other)
    first = reverse("wagtailadmin_editing_sessions:ping", args=("wagtailcore", "page", home.pk, 0))
    carol_url = ping(carol, first, revision_id=loaded.pk)["ping_url"]
    dan_state = ping(dan, first, revision_id=loaded.pk)
    assert [s["user"] for s in dan_state["other_sessions"]] == ["Carol"]
    assert dan_state["other_sessions"][0]["revision_id"] is None
    # Carol saves; Dan's next ping says a newer revision exists, and by whom.
    home.title = "Saved by Carol"
    newer = home.save_revision(user=comms)
    ping(carol, carol_url, revision_id=newer.pk)
    dan_state = ping(dan, dan_state["ping_url"], revision_id=loaded.pk)
    carol_session = dan_state["other_sessions"][0]
    assert carol_session["user"] == "Carol"
    assert carol_session["revision_id"] == newer.pk
    assert "Carol" in dan_state["html"]


def test_the_admin_carries_thets_name_and_logo(client, admin_client):
    """Wagtail's branding blocks show THET, not the Wagtail bird."""
    login = client.get(reverse("wagtailadmin_login")).content.decode()
    assert "Sign in to the THET website" in login
    assert "<title>" in login and "THET website admin" in login
    home = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "img/thet-logo" in home
    assert "img/favicon" in home
    assert "THET website" in home
