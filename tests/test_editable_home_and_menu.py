"""The home page's buttons and figures heading, and the main menu, are editable."""

import pytest
from wagtail.blocks import StructBlockValidationError
from wagtail.models import PageViewRestriction, Site

from pages.blocks import NavLinkBlock
from pages.models import HomePage, MainMenu
from tests.factories import ContentPageFactory

pytestmark = pytest.mark.django_db


def link(page=None, url="", label=""):
    return ("link", {"page": page, "url": url, "label": label})


def menu_labels(html):
    start = html.index('<div class="main-nav__wide">')
    block = html[start : html.index("</ul>", start)]
    return [part.split("</a>")[0].split(">")[-1] for part in block.split("<li>")[1:]]


def test_home_buttons_and_figures_heading_come_from_the_page(client, seeded):
    home = HomePage.objects.get()
    html = client.get("/").content.decode()
    # Until an editor sets buttons, the standard two are shown.
    assert "Explore our work" in html and "Read our publications" in html
    assert "THET in figures" in html
    about = ContentPageFactory(title="About us")
    home.hero_links = [
        link(page=about, label="Who we are"),
        link(url="https://example.org/give", label="Donate"),
    ]
    home.statistics_heading = "Our reach in numbers"
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert f'href="{about.url}">Who we are</a>' in html
    assert 'href="https://example.org/give">Donate</a>' in html
    assert "Explore our work" not in html
    assert "Our reach in numbers" in html and "THET in figures" not in html


def test_the_main_menu_falls_back_to_show_in_menus_then_follows_the_setting(client, seeded):
    before = menu_labels(client.get("/").content.decode())
    assert before and before[-1] == "Search"
    about = ContentPageFactory(title="About us")
    publications = ContentPageFactory(title="Annual reports")
    menu = MainMenu.for_site(Site.objects.get(is_default_site=True))
    menu.items = [
        link(page=about, label="About THET"),
        link(page=publications),
        link(url="https://www.globalhealthpartnerships.org/", label="Our new name"),
    ]
    menu.save()
    html = client.get("/").content.decode()
    assert menu_labels(html) == ["About THET", publications.title, "Our new name", "Search"]
    # A private or unpublished page drops out of the menu rather than leading to a login.
    PageViewRestriction.objects.create(page=about, restriction_type="password", password="x")
    publications.unpublish()
    assert menu_labels(client.get("/").content.decode()) == ["Our new name", "Search"]


def test_a_link_elsewhere_needs_a_label(seeded):
    block = NavLinkBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"url": "https://example.org/", "label": ""}))
    assert "Say what a link" in str(error.value.block_errors["label"])
    assert block.clean(block.to_python({"url": "https://example.org/", "label": "Donate"}))
