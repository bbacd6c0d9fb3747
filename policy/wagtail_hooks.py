from django.http import Http404
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin import messages
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from pages.menus import explorer_shortcut
from pages.views import TaxonomyViewSet
from policy import holdback, locks
from policy.holdback import document_is_held_back
from policy.models import PublicationIndexPage, PublicationType, Topic
from policy.signoff import signed_off_pages
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
    menu_label = "Publication tags"
    menu_icon = "doc-full"
    menu_order = 310
    items = (PublicationTypeViewSet, TopicViewSet)


register_snippet(PublicationTaxonomyGroup)
locks.register()  # a live publication's PDF and cover change only through sign-off
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


# --- One action takes at most one signed-off page offline ----------------------------
#
# Unpublishing a page "with its subpages" unpublishes every live page below it without
# asking about each: on the Publications index, every publication at once, which only
# sign-off can put back. Comms editors may take one publication down (a takedown); more
# than one signed-off page in a single action is for superusers.


def refusal(count: int, where: str) -> str:
    pages = "page" if count == 1 else "pages"
    return (
        f"Not unpublished: this would take {count} signed-off {pages} offline {where}, "
        "and only sign-off can put them back. Unpublish one publication at a time, or ask "
        "an administrator."
    )


@hooks.register("before_unpublish_page")
def keep_signed_off_subpages(request, page):
    if request.user.is_superuser or not request.POST.get("include_descendants"):
        return None
    count = signed_off_pages(page.get_descendants()).count()
    if not count:
        return None
    messages.error(request, refusal(count, f"below “{page.title}”"))
    return redirect("wagtailadmin_pages:unpublish", page.pk)


@hooks.register("before_bulk_action")
def keep_signed_off_pages_in_bulk(request, action_type, objects, action_class_instance):
    if action_type != "unpublish" or request.user.is_superuser:
        return None
    pages = [obj for obj in objects if isinstance(obj, Page)]
    if not pages:
        return None
    ids = {page.pk for page in pages}
    affected = Page.objects.filter(pk__in=ids)
    form = getattr(action_class_instance, "cleaned_form", None)
    if form is not None and form.cleaned_data.get("include_descendants"):
        for page in pages:
            affected = affected | Page.objects.descendant_of(page)
    count = signed_off_pages(affected).count()
    if count <= 1:
        return None
    messages.error(request, refusal(count, "in one action"))
    return redirect(action_class_instance.next_url)


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
