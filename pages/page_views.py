"""Where the admin's page views differ from Wagtail's, for every page type.

Registered as the page viewset of ``Page`` (``pages.wagtail_hooks``), so every page type
uses these views (Wagtail's documented ``PageViewSet`` with its ``*_view_class``
attributes):

* **A new page's form does not autosave.** Wagtail 8 autosaves the create form: the
  first autosave creates the page as a draft, so an editor who starts a page and leaves
  without saving leaves a draft behind in the explorer and listings, and a still-empty
  form greets them with "Autosave is paused: there are validation errors". Editing an
  existing page keeps autosave, which is where it saves work.
* **Every published version can be restored from the history.** Wagtail puts the
  "Review this version" action on a version's "Edited" row only; a version saved and
  published in one go (the seeded pages, imports) has only a "Published" row, and so
  no action at all. Here published rows carry the same actions.
* **After a sign-off decision, the reviewer lands where they may look.** Wagtail sends
  them back to the page's editor or the explorer, which a Moderator (no page permission
  of their own once the page has left their task) may not open: they land on the
  dashboard instead.
"""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.admin.views.generic.history import ActionColumn
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.history import PageHistoryView
from wagtail.admin.views.pages.workflow import WorkflowActionView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Page


class NewPageCreateView(CreateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Nothing is saved until the editor saves: leaving the form leaves nothing.
        context["autosave_enabled"] = False
        return context


class VersionActionColumn(ActionColumn):
    """Wagtail's actions, and on a "Published" row the actions of its version too."""

    def get_actions(self, instance, parent_context):
        actions = super().get_actions(instance, parent_context)
        if actions or instance.action != "wagtail.publish" or not instance.revision_id:
            return actions
        page, revision_id = self.object, instance.revision_id
        url_names = self.url_names
        actions.append(
            {
                "url": reverse(url_names["revisions_view"], args=(page.pk, revision_id)),
                "label": gettext("Preview"),
            }
        )
        if revision_id == page.latest_revision_id:
            actions.append(
                {"url": reverse(url_names["edit"], args=(page.pk,)), "label": gettext("Edit")}
            )
        else:
            actions.append(
                {
                    "url": reverse(url_names["revisions_revert"], args=(page.pk, revision_id)),
                    "label": gettext("Review this version"),
                }
            )
            actions.append(
                {
                    "url": reverse(
                        url_names["revisions_compare"], args=(page.pk, revision_id, "latest")
                    ),
                    "label": gettext("Compare with current version"),
                }
            )
        return actions


class VersionHistoryView(PageHistoryView):
    @cached_property
    def columns(self):
        columns = list(super().columns)
        wagtails = columns[0]
        columns[0] = VersionActionColumn(
            wagtails.name,
            label=wagtails.label,
            object=wagtails.object,
            url_names=wagtails.url_names,
            user_can_unschedule=wagtails.user_can_unschedule,
        )
        return columns


def landing_url(user):
    """Where a user goes after a sign-off decision: the dashboard, if they hold no page
    permission (a Moderator), else None (Wagtail's own choice)."""
    if user_has_any_page_permission(user):
        return None
    return reverse("wagtailadmin_home")


class LandingWorkflowActionView(WorkflowActionView):
    def get_redirect_url(self):
        return landing_url(self.request.user) or super().get_redirect_url()


class LandingEditView(EditView):
    def redirect_away(self):
        url = None if self.next_url else landing_url(self.request.user)
        if url is None:
            return super().redirect_away()
        return redirect(url)


class SitePageViewSet(PageViewSet):
    add_view_class = NewPageCreateView
    edit_view_class = LandingEditView
    history_view_class = VersionHistoryView
    workflow_action_view_class = LandingWorkflowActionView


def site_page_viewset():
    return SitePageViewSet(model=Page)
