"""The seed loader builds the whole tree and is idempotent."""

import pytest
from django.core.management import call_command
from wagtail.models import Page, Revision, Site

from pages.models import HomePage
from partnerships.models import Country, HealthTheme, PartnerOrganisation, ProjectPage
from policy.models import PolicyWorkPage, PublicationPage, PublicationType, Topic

SNIPPETS = (Country, HealthTheme, PartnerOrganisation, PublicationType, Topic)


def counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        **{model.__name__: model.objects.count() for model in SNIPPETS},
    }


@pytest.fixture
def empty_site(db):
    """Remove what the session's seed built, leaving Wagtail's bare root."""
    HomePage.objects.all().delete()
    for model in reversed(SNIPPETS):
        model.objects.all().delete()
    assert Page.objects.count() == 1


def test_builds_design_tree(empty_site):
    call_command("load_seed_content")
    paths = set(Page.objects.filter(depth__gte=2).values_list("url_path", flat=True))
    for path in (
        "/home/",
        "/home/about/",
        "/home/our-work/",
        "/home/our-work/policy-work/",
        "/home/our-work/health-partnership-scheme/",
        "/home/our-work/projects/",
        "/home/publications/",
    ):
        assert path in paths
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    assert ProjectPage.objects.live().count() == 3
    assert PublicationPage.objects.live().count() == 5
    featured = PolicyWorkPage.objects.get().featured_publications.all()
    assert [f.publication.slug for f in featured] == [
        "experts-in-our-midst",
        "from-competition-to-collaboration",
        "the-transition-from-aid",
        "in-our-mutual-interest",
    ]


def test_running_twice_changes_nothing(empty_site):
    call_command("load_seed_content")
    first = counts()
    call_command("load_seed_content")
    assert counts() == first


def test_does_not_overwrite_editors_changes(db):
    call_command("load_seed_content")
    home = HomePage.objects.get()
    home.headline = "Edited by comms"
    home.save_revision().publish()
    call_command("load_seed_content")
    assert HomePage.objects.get().headline == "Edited by comms"


def test_projects_link_to_snippets(db):
    call_command("load_seed_content")
    project = ProjectPage.objects.get(slug="violence-aggression-management-tanzania")
    assert [c.name for c in project.countries.all()] == ["Tanzania"]
    assert [t.name for t in project.themes.all()] == ["Mental Health"]
    partner = project.overseas_partners.get()
    assert partner.location == "overseas" and partner.country.name == "Tanzania"
    assert project.uk_partners.get().location == "uk"
