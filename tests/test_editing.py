"""Editors can create every page type through the admin, where it belongs."""

import datetime
import json

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from pages.models import ContentPage, OurWorkPage
from partnerships.models import ProgrammePage, ProjectIndexPage, ProjectPage
from policy.models import PolicyWorkPage, PublicationIndexPage, PublicationPage
from sitewide.seed import load_seed_content

from .factories import CountryFactory, PublicationTypeFactory


@pytest.mark.django_db
class TestEditorsCanCreate(WagtailPageTestCase):
    def setUp(self):
        load_seed_content()
        self.login()
        self.our_work = OurWorkPage.objects.get()
        self.home = self.our_work.get_parent().specific

    def test_content_page(self):
        self.assertCanCreate(
            self.home,
            ContentPage,
            nested_form_data(
                {
                    "title": "Join us",
                    "slug": "join-us",
                    "introduction": "Volunteer with a health partnership.",
                    "body": streamfield(
                        [
                            ("heading", {"text": "Why volunteer", "level": "h2"}),
                            ("paragraph", rich_text("<p>It helps everyone.</p>")),
                        ]
                    ),
                }
            ),
        )
        page = ContentPage.objects.get(slug="join-us")
        assert page.body[0].value["text"] == "Why volunteer"

    def test_project_page(self):
        index = ProjectIndexPage.objects.get()
        country = CountryFactory()
        data = nested_form_data(
            {
                "title": "Nepal screening",
                "slug": "nepal-screening",
                "summary": "Screening in Nepal.",
                "body": streamfield([]),
            }
        )
        # The type-to-pick field posts the chosen items as JSON.
        data["countries"] = json.dumps([{"pk": country.pk}])
        self.assertCanCreate(index, ProjectPage, data)
        assert list(ProjectPage.objects.get(slug="nepal-screening").countries.all()) == [country]

    def test_publication_page(self):
        index = PublicationIndexPage.objects.get()
        briefing = PublicationTypeFactory(name="Budget note")
        self.assertCanCreate(
            index,
            PublicationPage,
            nested_form_data(
                {
                    "title": "Budget briefing",
                    "slug": "budget-briefing",
                    "publication_type": briefing.pk,
                    "publication_date": "2026-03-01",
                    "summary": "What the budget means for global health.",
                    "body": streamfield([]),
                }
            ),
        )
        page = PublicationPage.objects.get(slug="budget-briefing")
        assert page.publication_date == datetime.date(2026, 3, 1)

    def test_programme_page(self):
        self.assertCanCreate(
            self.our_work,
            ProgrammePage,
            nested_form_data(
                {
                    "title": "Global Health Workforce Programme",
                    "slug": "ghwp",
                    "hero_links": streamfield([]),  # the home page buttons
                    "statistics": streamfield(
                        [("statistic", {"figure": "4,300", "label": "trained", "source": ""})]
                    ),
                    "body": streamfield([]),
                }
            ),
        )

    def test_singletons_cannot_be_added_twice(self):
        assert not PolicyWorkPage.can_create_at(self.our_work)
        assert not ProjectIndexPage.can_create_at(self.our_work)
        assert not PublicationIndexPage.can_create_at(self.home)
        assert ContentPage.can_create_at(self.home)
        assert not ContentPage.can_create_at(Page.get_first_root_node())
