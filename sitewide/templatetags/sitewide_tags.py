"""Template tags that compose the apps (top layer, docs/ARCHITECTURE.md).

``{% latest_publications as publications %}`` gives the home page its three newest
publications. A tag rather than the home page's context, so the base layer's ``HomePage``
need not import ``policy``; and lazy by nature: it queries only when the template renders
it, so a kept rendering of the page's content (the fragment around it) costs no query.
"""

from django import template

from policy.models import PublicationPage

register = template.Library()

LATEST_PUBLICATIONS = 3


@register.simple_tag
def latest_publications(count: int = LATEST_PUBLICATIONS) -> list:
    """The newest ``count`` published, public publications, as the listing shows them."""
    return list(PublicationPage.objects.for_listing()[:count])
