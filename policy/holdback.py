"""Whether a document may be downloaded by the public: the embargo rule.

Read on every anonymous document download (``policy/wagtail_hooks.py``,
``before_serve_document``); tests/test_document_holdback.py and tests/test_embargo.py
show each case. Uploading is not publishing: a file is served only when something live
offers it, and a file an unlaunched publication claims is held until that publication is
live, whoever links it.

In order, the first that applies decides:

1. A live, public publication offers it as its file: public. What is launched stays
   public whatever a draft elsewhere says.
2. An editor has marked it "public on its own" (``DocumentSharing``, for files shared by
   their link), or a live, public page still links it that was published with the link
   while no publication claimed the file (``DocumentLinkRelease``): public. The mark is
   refused while a publication claims the file (the document form, ``policy/locks.py``)
   and a link published then records no release, so neither ever releases an embargoed
   file; once shared, a publication drafted later cannot withdraw it.
3. A publication that is not live yet claims it: held. It claims the file when its saved
   page names it but is not live or not public (scheduled, draft-only, unpublished,
   private), when its latest revision names it (a draft, or a launch waiting for
   sign-off), or when a revision scheduled to go live names it. A link from any live
   page does not release it: the link works from the launch.
4. A live, public page links to it (Wagtail's reference index, which records each page
   as it is saved, i.e. live pages as published): public.
5. Nothing live offers it (a fresh upload, a file only old revisions mention): held.

Everything is one SELECT of six ``EXISTS``, through the ORM and Wagtail's public
``ReferenceIndex.get_references_to``.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Exists, OuterRef, Q
from django.db.models.functions import Cast, Length, Substr
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction, ReferenceIndex, Revision

from policy.models import DocumentLinkRelease, DocumentSharing, PublicationPage


def in_private_section():
    """``EXISTS``: the outer page (by its tree path) lies under a view restriction."""
    return Exists(
        PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef("path"), 1, Length("page__path"))
        )
    )


def live_and_public(pages):
    return pages.filter(live=True).exclude(in_private_section())


def offering_publications(document):
    """Live, public publications whose file the document is."""
    return live_and_public(PublicationPage.objects.filter(document=document))


def claiming_publications(document):
    """Publications whose saved page or latest revision names the document, except those
    that already offer it live: a draft, a launch waiting for sign-off or a scheduled
    one, an unpublished or private publication, a new edition drafted on a live one."""
    names_it = Q(document=document) | Q(latest_revision__content__document=document.pk)
    offers_it = Q(document=document, live=True) & ~in_private_section()
    return PublicationPage.objects.filter(names_it).exclude(offers_it)


def scheduled_launches(document):
    """Publication revisions approved to go live later that name the document."""
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(PublicationPage),
        approved_go_live_at__isnull=False,
        content__document=document.pk,
    )


def linking_pages(document):
    """Live, public pages whose saved content links to the document (a publication's
    own file is its ``document`` field, not a link, but a body may link any file)."""
    references = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .annotate(page_id=Cast("object_id", BigIntegerField()))
        .values("page_id")
    )
    return live_and_public(Page.objects.filter(pk__in=references))


def shared_on_its_own(document):
    return DocumentSharing.objects.filter(document=document, public_on_its_own=True)


def released_by_a_live_link(document):
    return DocumentLinkRelease.objects.filter(
        document=document, page__in=linking_pages(document).values("pk")
    )


def is_claimed(document) -> bool:
    """Whether a publication that is not live yet claims the document (rule 3)."""
    return claiming_publications(document).exists() or scheduled_launches(document).exists()


def document_is_held_back(document) -> bool:
    """Whether the public must not download the document (yet)."""
    flags = (
        get_document_model()
        .objects.filter(pk=document.pk)
        .values_list(
            Exists(offering_publications(document)),
            Exists(shared_on_its_own(document)),
            Exists(released_by_a_live_link(document)),
            Exists(claiming_publications(document)),
            Exists(scheduled_launches(document)),
            Exists(linking_pages(document)),
        )
        .first()
    )
    if flags is None:
        return True
    offered, shared, released, claimed, scheduled, linked = flags
    if offered or shared or released:
        return False
    if claimed or scheduled:
        return True
    return not linked


def launches_of(document) -> list[tuple[str, object]]:
    """(title, when) of each unlaunched publication that claims the document: when is the
    scheduled go-live time, or None while the launch waits for sign-off."""
    launches = {}
    for revision in scheduled_launches(document):
        launches[revision.object_str] = revision.approved_go_live_at
    for page in claiming_publications(document).select_related("latest_revision"):
        revision = page.latest_revision
        when = page.go_live_at
        if revision is not None and revision.content.get("go_live_at"):
            when = revision.as_object().go_live_at
        launches.setdefault(page.title, when)
    return list(launches.items())


def documents_linked_by(page):
    """Ids of the documents the page's saved content links to (the reference index)."""
    document_type = ContentType.objects.get_for_model(get_document_model())
    return {
        int(reference.to_object_id)
        for reference in ReferenceIndex.get_references_for_object(page).filter(
            to_content_type=document_type
        )
        if reference.to_object_id.isdigit()
    }


def record_link_releases(page):
    """After ``page`` is published: its links to files nothing claims are releases; a
    link it no longer has is not. Links to claimed files wait for their launch."""
    linked = documents_linked_by(page)
    DocumentLinkRelease.objects.filter(page=page).exclude(document_id__in=linked).delete()
    kept = set(DocumentLinkRelease.objects.filter(page=page).values_list("document_id", flat=True))
    for document in get_document_model().objects.filter(pk__in=linked - kept):
        if not is_claimed(document):
            DocumentLinkRelease.objects.get_or_create(document=document, page=page)


def forget_link_releases(page):
    """After ``page`` is unpublished: it releases nothing any more."""
    DocumentLinkRelease.objects.filter(page=page).delete()
