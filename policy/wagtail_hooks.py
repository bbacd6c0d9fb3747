from django.http import Http404
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from pages.menus import explorer_shortcut
from pages.views import TaxonomyViewSet
from policy import locks
from policy.holdback import document_is_held_back
from policy.models import PublicationIndexPage, PublicationType, Topic


class PublicationTypeViewSet(TaxonomyViewSet):
    model = PublicationType
    icon = "doc-full"
    list_display = ["name", "plural", "slug"]


class TopicViewSet(TaxonomyViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "slug"]


class PublicationTaxonomyGroup(SnippetViewSetGroup):
    # Taxonomy only: the publications themselves are under "Publications" (below).
    menu_label = "Publication types & topics"
    menu_icon = "doc-full"
    menu_order = 310
    items = (PublicationTypeViewSet, TopicViewSet)


register_snippet(PublicationTaxonomyGroup)
locks.register()  # #13: a live publication's PDF and cover change only through sign-off
explorer_shortcut("publications", "Publications", PublicationIndexPage, icon="doc-full", order=260)


@hooks.register("before_serve_document")
def hold_back_unlaunched_documents(document, request):
    """Launch control: a publication's file is not public before the publication is.

    Staff who can use the admin may still download it, to check it before launch.
    Everyone else gets the site's 404 page, as if the file did not exist yet.
    """
    user = request.user
    if user.is_authenticated and user.has_perm("wagtailadmin.access_admin"):
        return None
    if document_is_held_back(document):
        raise Http404("This document is not published yet.")
    return None
