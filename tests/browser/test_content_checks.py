"""The seeded site passes its own content checks.

Wagtail's userbar runs the editors' content checker (Wagtail's checks plus ours, such as
"Statistic without a source", see pages/wagtail_hooks.py) on every page an editor views.
On the seeded site it must find nothing, or the badge is always red and editors learn to
ignore it. This is the checker itself, as an editor sees it, in a real browser.
"""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password-1234"  # noqa: S105 - a throwaway test account

SETUP = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page
user, _ = get_user_model().objects.get_or_create(username="cora", email="cora@example.org")
user.set_password(%r)
user.save()
user.groups.add(Group.objects.get(name="Comms editors"))
print(json.dumps([p.url for p in Page.objects.live().public().filter(depth__gte=2)]))
"""


def test_every_seeded_page_passes_the_content_checks(live_site, site_server, new_page):
    out = live_site.manage("shell", "-c", SETUP % PASSWORD).stdout.strip().splitlines()[-1]
    urls = json.loads(out)
    assert len(urls) >= 14, urls
    editor = new_page()
    editor.goto(site_server + "/admin/login/")
    editor.get_by_label("Username").fill("cora")
    editor.get_by_label("Password").fill(PASSWORD)
    editor.get_by_role("button", name="Sign in").click()
    expect(editor).to_have_url(re.compile(r"/admin/$"))

    problems = []
    for url in urls:
        editor.goto(site_server + url)
        # The checker runs as the page loads and then writes its count into the userbar.
        count = editor.locator("[data-content-checker-count]").first
        expect(count).to_have_text(re.compile(r"^\d+$"), timeout=20_000)
        issues = count.text_content().strip()  # hidden until the menu opens: not innerText
        if issues != "0":
            editor.locator("#wagtail-userbar-trigger").click()
            editor.get_by_role("menuitem", name=re.compile("Checks")).click()
            names = editor.locator("[data-content-checker-name]")
            expect(names.first).to_be_visible()
            problems.append(f"{url}: {issues} {names.all_inner_texts()}")
    assert not problems, "the content checker warns on seeded pages:\n" + "\n".join(problems)
