"""Factories for the content a test needs (factory_boy through wagtail-factories).

Factories or the seeded site?
-----------------------------
* A test that needs *particular* content (a project with a picture, a page it is about to
  retitle, a publication to send through sign-off) builds it here, so the test says what it
  relies on and keeps working when the seed's wording, slugs or order change.
* A test whose point is the seeded site itself (the page tree and menu the seed promises,
  "every live page is in the sitemap", the figures in `seed_data.json`) keeps using the
  seeded database: that is what it checks.

Pages are created under the index their type belongs in, found by type (never by slug) and
made if missing, and go live the way an editor's do: a draft, then a revision published
(`save_revision().publish()`), after any post-generation hooks have set their relations.
A publication dated in the future is therefore held for its launch, not live.

Images and documents write files: use them with the `media_root` fixture.
"""

import datetime

import factory
import wagtail_factories
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory
from wagtail.models import Collection, Site

from pages.models import ContentPage, HomePage, OurWorkPage
from partnerships import worldmap
from partnerships.models import (
    Country,
    HealthTheme,
    PartnerOrganisation,
    ProgrammePage,
    ProjectIndexPage,
    ProjectPage,
)
from policy.models import PublicationIndexPage, PublicationPage, PublicationType, Topic

from .conftest import PDF_BYTES

# --- Where pages go: found by type, made if the tree lacks them ---


def home_page() -> HomePage:
    return Site.objects.get(is_default_site=True).root_page.specific


def _child_of_type(model, parent, title):
    found = model.objects.child_of(parent).first()
    if found is None:
        found = model(title=title, slug=slugify(title))
        parent.add_child(instance=found)
        found.save_revision().publish()
    return found


def our_work_page() -> OurWorkPage:
    return _child_of_type(OurWorkPage, home_page(), "Our work")


def project_index_page() -> ProjectIndexPage:
    return _child_of_type(ProjectIndexPage, our_work_page(), "Projects")


def publication_index_page() -> PublicationIndexPage:
    return _child_of_type(PublicationIndexPage, home_page(), "Publications")


# --- Snippets ---


class CountryFactory(DjangoModelFactory):
    """A country the world map knows, not yet used in the database."""

    class Meta:
        model = Country

    iso_code = factory.LazyFunction(
        lambda: next(
            code
            for code, _ in worldmap.country_choices()
            if not Country.objects.filter(iso_code=code).exists()
        )
    )
    name = factory.LazyAttribute(lambda o: dict(worldmap.country_choices())[o.iso_code])


class HealthThemeFactory(DjangoModelFactory):
    class Meta:
        model = HealthTheme

    name = factory.Sequence(lambda n: f"Test theme {n}")


class PartnerOrganisationFactory(DjangoModelFactory):
    """A UK partner; `overseas=True` makes an overseas one with its country."""

    class Meta:
        model = PartnerOrganisation

    class Params:
        overseas = factory.Trait(
            location=PartnerOrganisation.OVERSEAS,
            country=factory.SubFactory(CountryFactory),
        )

    name = factory.Sequence(lambda n: f"Test partner {n}")
    location = PartnerOrganisation.UK


class PublicationTypeFactory(DjangoModelFactory):
    class Meta:
        model = PublicationType

    name = factory.Sequence(lambda n: f"Test type {n}")
    plural = factory.LazyAttribute(lambda o: f"{o.name}s")


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Test topic {n}")


# --- Images and documents (with the `media_root` fixture) ---


class ImageFactory(wagtail_factories.ImageFactory):
    collection = factory.LazyFunction(Collection.get_first_root_node)
    title = factory.Sequence(lambda n: f"Test picture {n}")
    file = factory.django.ImageField(width=800, height=600, color="teal")


class DocumentFactory(wagtail_factories.DocumentFactory):
    collection = factory.LazyFunction(Collection.get_first_root_node)
    title = factory.Sequence(lambda n: f"Test report {n} (PDF)")
    file = factory.django.FileField(filename="test-report.pdf", data=PDF_BYTES)
    file_size = len(PDF_BYTES)


# --- Pages ---


class LivePageFactory(wagtail_factories.PageFactory):
    """A page added as a draft, then published from a revision like an editor's."""

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Test page {n}")
    live = False

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save_revision().publish()
            instance.refresh_from_db()


class ContentPageFactory(LivePageFactory):
    class Meta:
        model = ContentPage

    parent = factory.LazyFunction(home_page)
    introduction = "A page made for a test."


class ProgrammePageFactory(LivePageFactory):
    class Meta:
        model = ProgrammePage

    parent = factory.LazyFunction(our_work_page)
    title = factory.Sequence(lambda n: f"Test programme {n}")
    introduction = "A programme made for a test."


def _set_many(field):
    """A post-generation hook: `countries=[...]` sets the page's countries before it is
    published, so the published revision carries them."""

    def hook(page, create, extracted, **kwargs):
        if extracted is not None:
            getattr(page, field).set(extracted)

    return factory.PostGeneration(hook)


class ProjectPageFactory(LivePageFactory):
    class Meta:
        model = ProjectPage

    parent = factory.LazyFunction(project_index_page)
    title = factory.Sequence(lambda n: f"Test project {n}")
    summary = "A project made for a test."
    start_year = 2020
    countries = _set_many("countries")
    themes = _set_many("themes")
    uk_partners = _set_many("uk_partners")
    overseas_partners = _set_many("overseas_partners")


class PublicationPageFactory(LivePageFactory):
    """A publication dated yesterday; a future `publication_date` is its launch."""

    class Meta:
        model = PublicationPage

    parent = factory.LazyFunction(publication_index_page)
    title = factory.Sequence(lambda n: f"Test publication {n}")
    publication_type = factory.SubFactory(PublicationTypeFactory)
    publication_date = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=1)
    )
    summary = "A publication made for a test."
    topics = _set_many("topics")
