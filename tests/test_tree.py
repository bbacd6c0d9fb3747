"""The page tree's shape: editors can only build what DESIGN.md describes."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from news.models import NewsIndexPage
from pages.models import ContactPage, ContentPage, HomePage, OurWorkPage
from partnerships.models import ProgrammePage, ProjectIndexPage, ProjectPage
from policy.models import PolicyWorkPage, PublicationIndexPage, PublicationPage


class TestTreeShape(WagtailPageTestCase):
    def test_home_children(self):
        self.assertAllowedSubpageTypes(
            HomePage,
            {ContentPage, OurWorkPage, PublicationIndexPage, ContactPage, NewsIndexPage},
        )

    def test_home_only_under_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_our_work_children(self):
        self.assertAllowedSubpageTypes(
            OurWorkPage, {PolicyWorkPage, ProgrammePage, ProjectIndexPage, ContentPage}
        )

    def test_content_page_parents(self):
        self.assertAllowedParentPageTypes(ContentPage, {HomePage, OurWorkPage, ContentPage})

    def test_project_index_children(self):
        self.assertAllowedSubpageTypes(ProjectIndexPage, {ProjectPage})
        self.assertAllowedParentPageTypes(ProjectIndexPage, {OurWorkPage})

    def test_projects_only_in_project_index(self):
        self.assertAllowedParentPageTypes(ProjectPage, {ProjectIndexPage})
        self.assertCanNotCreateAt(HomePage, ProjectPage)
        self.assertCanNotCreateAt(OurWorkPage, ProjectPage)

    def test_publications_only_in_publication_index(self):
        self.assertAllowedSubpageTypes(PublicationIndexPage, {PublicationPage})
        self.assertAllowedParentPageTypes(PublicationPage, {PublicationIndexPage})
        self.assertCanNotCreateAt(OurWorkPage, PublicationPage)

    def test_leaf_pages(self):
        for model in (ProjectPage, PublicationPage, PolicyWorkPage, ProgrammePage, ContactPage):
            self.assertAllowedSubpageTypes(model, set())

    def test_policy_and_programme_under_our_work(self):
        self.assertAllowedParentPageTypes(PolicyWorkPage, {OurWorkPage})
        self.assertAllowedParentPageTypes(ProgrammePage, {OurWorkPage})
        self.assertAllowedParentPageTypes(PublicationIndexPage, {HomePage})

    def test_singletons(self):
        for model in (
            HomePage,
            OurWorkPage,
            PolicyWorkPage,
            ProjectIndexPage,
            PublicationIndexPage,
            ContactPage,
        ):
            assert model.max_count == 1, model

    def test_contact_only_under_home(self):
        self.assertAllowedParentPageTypes(ContactPage, {HomePage})
