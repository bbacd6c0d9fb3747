from django.contrib import messages
from django.http import Http404
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from pages.menus import explorer_shortcut
from pages.views import TaxonomyViewSet
from policy import holdback, locks
from policy.holdback import document_is_held_back
from policy.models import PublicationIndexPage, PublicationType, Topic
from thet_site.security import is_verified_staff


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

    Staff who can use the admin (and have passed two-factor sign-in where it is
    required) may still download it, to check it before launch.
    Everyone else gets the site's 404 page, as if the file did not exist yet.
    """
    if is_verified_staff(request.user):
        return None
    if document_is_held_back(document):
        raise Http404("This document is not published yet.")
    return None


def documents_linked_in(page):
    """The documents the page's fields (its StreamFields and rich text, as the editor
    just saved them, draft or not) link to, through each field's ``extract_references``:
    the way Wagtail's reference index reads them."""
    document_model = get_document_model()
    ids = set()
    for field in page._meta.get_fields():
        if not hasattr(field, "extract_references") or not hasattr(field, "value_from_object"):
            continue
        for model, object_id, _path, _content_path in field.extract_references(
            field.value_from_object(page)
        ):
            if issubclass(model, document_model) and str(object_id).isdigit():
                ids.add(int(object_id))
    return document_model.objects.filter(pk__in=ids).order_by("title")


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_of_embargoed_links(request, page):
    """Tell the editor who links a file that a publication has not launched yet that
    the link will not work until then (the file stays held: ``policy/holdback.py``)."""
    for document in documents_linked_in(page):
        if holdback.is_claimed(document) and document_is_held_back(document):
            messages.warning(request, locks.embargo_message(document))
