"""Sign-off: on the policy side nothing goes live without a Moderator's approval (#13).

Wagtail lets anyone who holds "publish" on a page publish it directly, past its workflow,
and its permissions follow the tree, not page types: Comms editors hold theirs on the home
page, so on every publication too. Two pieces close that door:

* ``SignOffRequired``, mixed into the policy page types, gives them a permission tester
  (Wagtail's documented ``Page.permissions_for_user`` override) under which only a
  superuser may publish one directly, publish a new one as it is created (or copied), or
  change its privacy. Everyone else's "Publish" becomes "Submit to Policy sign-off"; a
  forced ``action-publish`` only saves a draft. Unpublishing (taking a publication down)
  and cancelling a scheduled launch stay with whoever holds "publish" there.
* ``pages.roles.publish_approved_revision`` (``WAGTAIL_FINISH_WORKFLOW_ACTION``) publishes
  what a workflow approved without asking for "publish" on the page, so the approving
  Moderator, who holds no page permission, still makes it live.
"""

from wagtail.models import PagePermissionTester


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


class SignOffRequired:
    """Mixin for the page types that must go through "Policy sign-off"."""

    def permissions_for_user(self, user):
        return SignOffPagePermissionTester(user, self)
