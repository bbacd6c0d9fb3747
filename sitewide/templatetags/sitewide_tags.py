"""Template tags that compose the apps (top layer, docs/ARCHITECTURE.md).

``{% latest_publications as publications %}`` gives the home page its three newest
publications. A tag rather than the home page's context, so the base layer's ``HomePage``
need not import ``policy``; and lazy by nature: it queries only when the template renders
it, so a kept rendering of the page's content (the fragment around it) costs no query.

The news pieces are composed the same way: the news app refers to projects,
publications, countries and themes by ``"app.Model"`` strings only, and the feature apps
do not know it, so what shows a story on their pages is here:

* ``{% latest_news as stories %}``: the home page's newest stories;
* ``{% news_about page as stories %}``: "In the news" on a project or publication page;
* ``{% listing_news form as news %}``: "Latest from Tanzania" on the project listing
  filtered by a country (or a health theme);
* ``{% story_subjects page as subjects %}``: a story's projects, publications, countries
  and themes, each linked to where it is shown.

Each is one query (and one more for the stories' pictures, when any has one), whatever
the number of stories, projects or publications.
"""

from dataclasses import dataclass, field

from django import template

from news.models import NewsIndexPage, NewsStoryPage
from partnerships.models import Country, HealthTheme, ProjectIndexPage
from policy.models import PublicationPage
from thet_site.privacy import public

register = template.Library()

LATEST_PUBLICATIONS = 3
LATEST_NEWS = 3
RELATED_NEWS = 3


@register.simple_tag
def latest_publications(count: int = LATEST_PUBLICATIONS) -> list:
    """The newest ``count`` published, public publications, as the listing shows them."""
    return list(PublicationPage.objects.for_listing()[:count])


@register.simple_tag(takes_context=True)
def latest_news(context, count: int = LATEST_NEWS) -> dict:
    """The newest ``count`` live, public stories and the news listing's address."""
    stories = list(NewsStoryPage.objects.for_listing()[:count])
    index = public(NewsIndexPage.objects.live()).first() if stories else None
    request = context.get("request")
    return {"stories": stories, "url": index.get_url(request=request) if index else ""}


@register.simple_tag
def news_about(page, count: int = RELATED_NEWS) -> list:
    """The newest stories tagged with ``page`` (a project or a publication)."""
    if page.pk is None:  # the preview of a page not saved yet: nothing is tagged with it
        return []
    stories = NewsStoryPage.objects.for_listing()
    if isinstance(page, PublicationPage):
        stories = stories.filter(publications=page)
    else:
        stories = stories.filter(projects=page)
    return list(stories[:count])


@register.simple_tag
def listing_news(form, count: int = RELATED_NEWS) -> dict | None:
    """For the project listing's filter ``form``: the newest stories about the country
    it is filtered by (else its health theme), with the heading to show them under; None
    when it is filtered by neither, or by one that names nothing."""
    filters = form.filters
    for name, model, heading in (
        ("country", Country, "Latest from {}"),
        ("theme", HealthTheme, "Latest news on {}"),
    ):
        slug = filters.get(name)
        if not slug:
            continue
        # One query: the stories with the name of the country (or theme) they are filed
        # under, so an unknown slug costs no second look-up.
        relation = "countries" if name == "country" else "themes"
        stories = list(
            NewsStoryPage.objects.for_listing()
            .filter(**{f"{relation}__slug": slug})
            .annotate(subject_name=model.objects.filter(slug=slug).values("name")[:1])[:count]
        )
        if not stories:
            return None
        return {"stories": stories, "heading": heading.format(stories[0].subject_name)}
    return None


@dataclass
class Subject:
    label: str
    links: list = field(default_factory=list)


@register.simple_tag(takes_context=True)
def story_subjects(context, story) -> list[Subject]:
    """What ``story`` is about, each linked: its projects and publications to their
    pages, its countries and themes to the project listing filtered by them."""
    request = context.get("request")
    subjects = []
    projects = list(public(story.projects.live()).order_by("title"))
    if projects:
        subjects.append(
            Subject(
                _plural("Project", projects),
                [_link(p.title, p.get_url(request=request)) for p in projects],
            )
        )
    publications = list(public(story.publications.live()).order_by("title"))
    if publications:
        subjects.append(
            Subject(
                _plural("Publication", publications),
                [_link(p.title, p.get_url(request=request)) for p in publications],
            )
        )
    countries, themes = story.country_list, story.theme_list
    if countries or themes:
        index = public(ProjectIndexPage.objects.live()).first()
        listing = index.get_url(request=request) if index else None
        for label, param, items in (
            ("Country" if len(countries) == 1 else "Countries", "country", countries),
            (_plural("Health theme", themes), "theme", themes),
        ):
            if items:
                subjects.append(
                    Subject(
                        label,
                        [
                            _link(item.name, f"{listing}?{param}={item.slug}" if listing else "")
                            for item in items
                        ],
                    )
                )
    return subjects


def _plural(label: str, items: list) -> str:
    return label if len(items) == 1 else f"{label}s"


def _link(name: str, url: str) -> dict:
    return {"name": name, "url": url}
