"""Sign-off: on the policy side nothing goes live without a Moderator's approval.

Wagtail lets anyone who holds "publish" on a page publish it directly, past its workflow,
and its permissions follow the tree, not page types: Comms editors hold theirs on the home
page, so on every publication too. Two pieces close that door:

* ``SignOffRequired``, mixed into the policy page types, gives them a permission tester
  (Wagtail's documented ``Page.permissions_for_user`` override) under which only a
  superuser may publish one directly, publish a new one as it is created (or copied), or
  change its privacy. Everyone else's "Publish" becomes "Submit to Policy sign-off"; a
  forced ``action-publish`` only saves a draft. Unpublishing (taking a publication down)
  and cancelling a scheduled launch stay with whoever holds "publish" there.
* Nor may anyone but a superuser delete (or move) a signed-off page: one that is live or
  approved and scheduled, or holds such a page below it. Taking several signed-off pages
  offline in one action ("with its subpages", or a bulk unpublish) is refused by hooks in
  ``policy.wagtail_hooks``, which read :func:`signed_off_pages`.
* ``pages.roles.publish_approved_revision`` (``WAGTAIL_FINISH_WORKFLOW_ACTION``) publishes
  what a workflow approved without asking for "publish" on the page, so the approving
  Moderator, who holds no page permission, still makes it live.
"""

from django.apps import apps
from django.db.models import CharField
from django.db.models.functions import Cast
from wagtail.models import Page, PagePermissionTester, Revision

from pages.roles import SIGN_OFF_PAGE_MODELS


class SignOffPagePermissionTester(PagePermissionTester):
    def _may_publish(self):
        # Wagtail's own rule: a superuser, or "publish" granted on this page or above it.
        return PagePermissionTester.can_publish(self)

    def can_publish(self):
        return self.user.is_superuser and self._may_publish()

    def can_publish_subpage(self):
        return self.user.is_superuser and super().can_publish_subpage()

    def can_set_view_restrictions(self):
        return self.can_publish()

    def can_unschedule(self):
        # Holding a launch back is not putting anything live.
        return self._may_publish()

    def can_delete(self, ignore_bulk=False):
        if not super().can_delete(ignore_bulk=ignore_bulk):
            return False
        return self.user.is_superuser or not holds_signed_off_pages(self.page)


class SignOffRequired:
    """Mixin for the page types that must go through "Policy sign-off"."""

    def permissions_for_user(self, user):
        return SignOffPagePermissionTester(user, self)


def sign_off_models():
    """The page types that go through sign-off: those ``pages.roles`` names, which the
    roles and the workflow are set up for (each of them mixes in ``SignOffRequired``)."""
    return [apps.get_model(app, name) for app, name in SIGN_OFF_PAGE_MODELS]


def signed_off_pages(pages):
    """Those of ``pages`` (a page queryset) that are live and went through sign-off."""
    return pages.live().type(*sign_off_models())


def holds_signed_off_pages(page) -> bool:
    """Whether ``page`` or a page below it is signed off: live, or approved and waiting
    for its go-live date."""
    subtree = Page.objects.descendant_of(page, inclusive=True).type(*sign_off_models())
    if subtree.live().exists():
        return True
    ids = subtree.annotate(text_pk=Cast("pk", CharField())).values("text_pk")
    return Revision.page_revisions.filter(
        object_id__in=ids, approved_go_live_at__isnull=False
    ).exists()
