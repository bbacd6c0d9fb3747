"""Admin comfort for editors: our content checks in the userbar, one dashboard
panel showing what is waiting for sign-off (with its planned launch), what was sent back
(with the moderator's comment) and what is scheduled to go live, the same comment in the
editor, approve buttons that say when an approval will go live, and a guard that stops a
snippet being deleted while pages still use it."""

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.action_menu import WorkflowMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.userbar import ContentCheckerItem
from wagtail.models import Page, Revision, Site, TaskState, WorkflowState

from pages.help import HelpView
from pages.models import ContactPage, SiteFooter
from pages.page_views import site_page_viewset

PANEL_LIMIT = 20
# Wagtail's own dashboard panels that the editorial overview replaces, by their names.
REPEATED_PANELS = ("user_objects_in_workflow_moderation", "workflow_objects_to_moderate")


class THETContentChecker(ContentCheckerItem):
    """Wagtail's accessibility checker plus two checks of our own content.

    * a statistic with no source (``.statistic`` without a ``.statistic__source``);
    * an image in the page's content with empty alt text that was not marked decorative
      (our templates put ``data-decorative="true"`` on the images an editor marked so).

    Both use axe-core's built-in evaluate functions by name, so no script of ours runs
    in the page.
    """

    axe_run_only = [
        *ContentCheckerItem.axe_run_only,
        "image-alt",
        "thet-statistic-source",
        "thet-image-alt-or-decorative",
    ]

    axe_custom_rules = [
        *ContentCheckerItem.axe_custom_rules,
        {
            "id": "thet-statistic-source",
            "impact": "moderate",
            "selector": ".statistic",
            "tags": ["best-practice"],
            "any": ["thet-statistic-has-source"],
            "enabled": True,
        },
        {
            "id": "thet-image-alt-or-decorative",
            "impact": "serious",
            "selector": "main img[alt='']",
            "tags": ["best-practice"],
            "any": ["thet-image-marked-decorative"],
            "enabled": True,
        },
    ]
    axe_custom_checks = [
        *ContentCheckerItem.axe_custom_checks,
        {
            "id": "thet-statistic-has-source",
            "evaluate": "has-descendant-evaluate",
            "options": {"selector": ".statistic__source"},
        },
        {
            "id": "thet-image-marked-decorative",
            "evaluate": "attr-non-space-content-evaluate",
            "options": {"attribute": "data-decorative"},
        },
    ]
    axe_messages = {
        **ContentCheckerItem.axe_messages,
        "image-alt": {
            "error_name": _("Image has no alt text"),
            "help_text": _("Describe the image, or mark it as decorative"),
        },
        "thet-statistic-source": {
            "error_name": _("Statistic without a source"),
            "help_text": _("Say where the figure comes from in the statistic's Source field"),
        },
        "thet-image-alt-or-decorative": {
            "error_name": _("Image without alt text that is not marked decorative"),
            "help_text": _("Describe the image for people who cannot see it, or tick 'decorative'"),
        },
    }


@hooks.register("construct_wagtail_userbar")
def use_thet_content_checker(request, items, page):
    for position, item in enumerate(items):
        if type(item) is not THETContentChecker and isinstance(item, ContentCheckerItem):
            items[position] = THETContentChecker(in_editor=getattr(item, "in_editor", False))


def planned_launch(revision):
    """When ``revision`` would go live if approved now: its go-live date/time if that is
    still to come (a publication's launch date sets it, see ``PublicationPage``), else None."""
    if revision is None:
        return None
    value = (revision.content or {}).get("go_live_at")
    moment = parse_datetime(value) if isinstance(value, str) else None
    return moment if moment and moment > timezone.now() else None


def launch_words(moment) -> str:
    return format_date(timezone.localtime(moment), "j F Y, H:i")


def latest_request_for_changes(state: WorkflowState):
    """The task state in which a reviewer asked for changes (with their comment)."""
    return (
        TaskState.objects.filter(workflow_state=state, status=TaskState.STATUS_REJECTED)
        .select_related("finished_by")
        .order_by("-finished_at", "-pk")
        .first()
    )


class EditorialOverviewPanel(Component):
    """What the whole team is waiting on: sign-off, changes asked for, and launches."""

    name = "editorial_overview"
    order = 90
    template_name = "pages/admin/editorial_overview.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        page_type = ContentType.objects.get_for_model(Page)
        states = list(
            WorkflowState.objects.filter(
                base_content_type=page_type,
                status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES],
            )
            .select_related(
                "workflow",
                "requested_by",
                "current_task_state__task",
                "current_task_state__revision",
                "current_task_state__finished_by",
            )
            .order_by("-created_at")[:PANEL_LIMIT]
        )
        scheduled = list(
            Revision.page_revisions.filter(approved_go_live_at__isnull=False)
            .select_related("user")
            .order_by("approved_go_live_at")[:PANEL_LIMIT]
        )
        ids = {int(s.object_id) for s in states} | {int(r.object_id) for r in scheduled}
        pages = Page.objects.in_bulk(ids)

        def row(page_id, **extra):
            page = pages.get(int(page_id))
            if page is None:
                return None
            edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
            return {"page": page, "edit_url": edit_url, **extra}

        awaiting, returned = [], []
        for state in states:
            task_state = state.current_task_state
            entry = row(
                state.object_id,
                state=state,
                launch=planned_launch(task_state.revision if task_state else None),
                # When sent back, the current task state is the one that asked for changes.
                request=task_state,
            )
            if entry is None:
                continue
            if state.status == WorkflowState.STATUS_IN_PROGRESS:
                awaiting.append(entry)
            else:
                returned.append(entry)
        context["awaiting"] = awaiting
        context["returned"] = returned
        context["scheduled"] = [
            entry for r in scheduled if (entry := row(r.object_id, revision=r)) is not None
        ]
        return context


@hooks.register("construct_homepage_panels")
def add_editorial_overview(request, panels):
    """One panel for sign-off: ours covers the whole team's submissions with launch dates
    and comments, so Wagtail's two workflow panels would only repeat it."""
    panels[:] = [panel for panel in panels if getattr(panel, "name", "") not in REPEATED_PANELS]
    panels.append(EditorialOverviewPanel())


@hooks.register("construct_page_action_menu")
def say_when_an_approval_goes_live(menu_items, request, context):
    """A moderator approving a revision dated in the future schedules it: the approve
    buttons say so, with the date."""
    page = context.get("page")
    task_state = getattr(page, "current_workflow_task_state", None) if page else None
    launch = planned_launch(task_state.revision if task_state else None)
    if launch is None:
        return
    for item in menu_items:
        if isinstance(item, WorkflowMenuItem) and item.name == "approve":
            item.label = f"{item.label} on {launch_words(launch)}"


@hooks.register("before_edit_page")
def show_why_changes_were_requested(request, page):
    """The author lands in the editor: show the reviewer's comment there."""
    if request.method != "GET":
        return None
    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return None
    rejected = latest_request_for_changes(state)
    if rejected is None:
        return None
    who = rejected.finished_by
    name = (who.get_full_name() or who.get_username()) if who else "A reviewer"
    comment = rejected.comment.strip()
    messages.warning(
        request,
        f"{name} asked for changes: “{comment}”" if comment else f"{name} asked for changes.",
    )
    return None


# --- A snippet in use cannot be deleted ----------------------------------------------

LISTED_PAGES = 10


def pages_using(obj) -> list[Page]:
    """Pages linked to ``obj`` by a foreign key or a (parental) many-to-many field.

    Wagtail's reference index covers foreign keys but not ParentalManyToManyField, so a
    topic or a country could otherwise be deleted from under the pages filed under it.
    """
    pages = {}
    for relation in obj._meta.related_objects:
        if not issubclass(relation.related_model, Page):
            continue
        if not (relation.one_to_many or relation.many_to_many):
            continue
        for page in getattr(obj, relation.get_accessor_name()).only("pk", "title"):
            pages[page.pk] = page
    return sorted(pages.values(), key=lambda page: page.title)


@hooks.register("before_delete_snippet")
def keep_snippets_that_pages_use(request, instances):
    blocked = [(obj, pages) for obj in instances if (pages := pages_using(obj))]
    if not blocked:
        return None
    for obj, pages in blocked:
        names = ", ".join(f"'{page.title}'" for page in pages[:LISTED_PAGES])
        more = len(pages) - LISTED_PAGES
        messages.error(
            request,
            format_lazy(
                "'{obj}' cannot be deleted: {count} page{s} use{verb} it ({names}{more}). "
                "Remove it from {those} first.",
                obj=obj,
                count=len(pages),
                s="" if len(pages) == 1 else "s",
                verb="s" if len(pages) == 1 else "",
                names=names,
                more=f" and {more} more" if more > 0 else "",
                those="that page" if len(pages) == 1 else "those pages",
            ),
        )
    viewset = instances[0].snippet_viewset
    if len(instances) == 1:
        return redirect(viewset.get_url_name("edit"), quote(instances[0].pk))
    return redirect(viewset.get_url_name("list"))


class OrganisationDetailsPanel(Component):
    """ "Organisation details missing": what the footer setting (and the contact form's
    notification address) still lacks. The seeds gave no charity number, address or
    email, and nothing is invented, so the comms team sees what to fill in."""

    name = "organisation_details"
    order = 80
    template_name = "pages/admin/organisation_details.html"

    def __init__(self, site, missing):
        self.site = site
        self.missing = missing

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["missing"] = self.missing
        context["edit_url"] = reverse(
            "wagtailsettings:edit", args=("pages", "sitefooter", self.site.pk)
        )
        return context


def missing_organisation_details(site) -> list[str]:
    footer = SiteFooter.objects.filter(site=site).first() or SiteFooter(site=site)
    missing = footer.missing_details()
    contact = ContactPage.objects.live().descendant_of(site.root_page, inclusive=True).first()
    if contact is not None and not contact.notification_addresses():
        missing.append("Address notified of contact form messages (on the Contact page)")
    return missing


@hooks.register("construct_homepage_panels")
def add_organisation_details(request, panels):
    if not request.user.has_perm("pages.change_sitefooter"):
        return
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return
    missing = missing_organisation_details(site)
    if missing:
        panels.append(OrganisationDetailsPanel(site, missing))


# --- Page views: no autosave on new pages, restorable versions, reviewers' landing ---


@hooks.register("register_admin_viewset")
def register_site_page_viewset():
    return site_page_viewset()


@hooks.register("construct_page_action_menu")
def publish_first_when_restoring(menu_items, request, context):
    """On an old version ("Review this version"), the main button publishes it, so an
    editor restores a version in three clicks from the history: the row's menu, "Review
    this version", "Publish this version"."""
    if context.get("view") != "revisions_revert":
        return
    for position, item in enumerate(menu_items):
        if item.name == "action-publish":
            menu_items.insert(0, menu_items.pop(position))
            return


# --- The editor's guide ----------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_help_url():
    return [path("help/", HelpView.as_view(), name="thet_help")]


@hooks.register("register_admin_menu_item")
def register_help_menu_item():
    return MenuItem("Help", reverse("thet_help"), name="help", icon_name="help", order=10000)
