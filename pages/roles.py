"""The editorial roles and the "Policy sign-off" workflow, and where they apply.

Three groups share the admin:

* **Comms editors** edit and publish the site's pages, manage images and documents, the
  snippets (countries, themes, partners, publication types, topics), the main menu and
  the footer settings,
  redirects and promoted search results. Publications and the Policy Work page they can
  edit and submit, but not publish: that is sign-off (`policy.signoff`).
* **Policy team** create and edit publications and the Policy Work page, and submit them
  for sign-off; they can upload the PDFs and covers they need. They cannot publish, nor
  touch the home page, other pages or the site settings.
* **Moderators** approve or reject what is submitted, nothing else: they hold no page
  permission at all. Wagtail lets a task's group open and approve what waits for it, and
  `publish_approved_revision` (``WAGTAIL_FINISH_WORKFLOW_ACTION``) publishes the approved
  revision without asking for "publish" on the page, which would also let them unpublish
  any page and set its privacy.

Wagtail grants page permissions on a page and everything below it, not by page type.
Comms editors hold theirs on the home page (not Wagtail's root, so the explorer opens at
the site), while the Policy team's are granted on the Publications index and the Policy
Work page themselves. None of those pages exists when migrations run on a fresh
database, so the grants (and the workflow's assignment to the policy pages) are made by
`ensure_home_pages` and `ensure_policy_pages`, which run from the data migrations (for a
site that already has the pages) and whenever such a page is created (see
`pages.signals`); the seed loader runs `ensure_policy_pages` again.

Every function takes an app registry, so the data migration can call it with its
historical models and the running site with the real ones. Every function is
idempotent.
"""

COMMS_EDITORS = "Comms editors"
POLICY_TEAM = "Policy team"
MODERATORS = "Moderators"
ROLE_NAMES = (COMMS_EDITORS, POLICY_TEAM, MODERATORS)
STOCK_EDITORS = "Editors"  # Wagtail's own, retired by `retire_stock_editors`

POLICY_SIGN_OFF = "Policy sign-off"
# Wagtail's install assigns this workflow to the root page, so every page would inherit it.
STOCK_WORKFLOW = "Moderators approval"
MODERATOR_TASK = "Moderator sign-off"

# The page types that go through sign-off, the one list of them: the roots of the
# subtrees the Policy team works in (granted and put under the workflow here), then the
# pages within them. ``policy.signoff`` reads it (this base layer imports no feature app,
# hence the names); tests/test_roles.py checks the policy models follow it.
POLICY_PAGE_MODELS = (("policy", "PublicationIndexPage"), ("policy", "PolicyWorkPage"))
SIGN_OFF_PAGE_MODELS = POLICY_PAGE_MODELS + (("policy", "PublicationPage"),)

SNIPPETS = [
    ("partnerships", "country"),
    ("partnerships", "healththeme"),
    ("partnerships", "partnerorganisation"),
    ("policy", "publicationtype"),
    ("policy", "topic"),
]

# Model-level permissions: role -> [(app_label, model, codename), ...]
MODEL_PERMISSIONS = {
    COMMS_EDITORS: [
        ("wagtailadmin", "admin", "access_admin"),
        # The menu and the footer are theirs: relabel, reorder, add links elsewhere.
        ("pages", "mainmenu", "change_mainmenu"),
        ("pages", "sitefooter", "change_sitefooter"),
        ("wagtailredirects", "redirect", "add_redirect"),
        ("wagtailredirects", "redirect", "change_redirect"),
        ("wagtailredirects", "redirect", "delete_redirect"),
    ]
    + [
        ("wagtailsearchpromotions", "searchpromotion", f"{action}_searchpromotion")
        for action in ("add", "change", "delete")
    ]
    + [
        (app, model, f"{action}_{model}")
        for app, model in SNIPPETS
        for action in ("add", "change", "delete")
    ],
    POLICY_TEAM: [
        ("wagtailadmin", "admin", "access_admin"),
        ("policy", "publicationtype", "add_publicationtype"),
        ("policy", "publicationtype", "change_publicationtype"),
        ("policy", "topic", "add_topic"),
        ("policy", "topic", "change_topic"),
    ],
    MODERATORS: [("wagtailadmin", "admin", "access_admin")],
}

# Permissions on the root collection (and so every collection) of images and documents.
# "add" also lets a user edit and delete what they uploaded themselves.
COLLECTION_PERMISSIONS = {
    COMMS_EDITORS: [
        ("wagtailimages", "image", f"{action}_image")
        for action in ("add", "change", "delete", "choose")
    ]
    + [
        ("wagtaildocs", "document", f"{action}_document")
        for action in ("add", "change", "delete", "choose")
    ],
    POLICY_TEAM: [
        ("wagtailimages", "image", "add_image"),
        ("wagtailimages", "image", "choose_image"),
        ("wagtaildocs", "document", "add_document"),
        ("wagtaildocs", "document", "choose_document"),
    ],
    MODERATORS: [],
}

COMMS_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
# Page types the Comms editors' page permissions are granted on (the site's home page).
HOME_PAGE_MODELS = (("pages", "HomePage"),)
# Per policy page type: what the Policy team may do there. "add" on the Publications
# index lets them create publications (the only type allowed below it) and edit the
# ones they created; "change" lets them edit any of them. No "publish": that is sign-off.
POLICY_PAGE_PERMISSIONS = {
    "publicationindexpage": ["add_page", "change_page"],
    "policyworkpage": ["change_page"],
}


def _permission(apps, app_label, model, codename):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": codename.replace("_", " ").capitalize()},
    )
    return permission


def _page_permission(apps, codename):
    return _permission(apps, "wagtailcore", "page", codename)


def ensure_roles(apps):
    """Create the three groups with exactly their model and collection permissions.

    "Moderators" already exists on a Wagtail install with add/change/publish on the whole
    tree and full image rights; it is narrowed here to approving submissions only.
    """
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    groups = {}
    for name in ROLE_NAMES:
        group, _ = Group.objects.get_or_create(name=name)
        groups[name] = group
        group.permissions.set(
            [_permission(apps, *spec) for spec in MODEL_PERMISSIONS[name]],
        )
        wanted = [_permission(apps, *spec) for spec in COLLECTION_PERMISSIONS[name]]
        GroupCollectionPermission.objects.filter(group=group).exclude(
            collection=root_collection, permission__in=wanted
        ).delete()
        for permission in wanted:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )

    # Comms editors' page grants are on the home page (`ensure_home_pages`); Moderators
    # hold none (Wagtail's stock Moderators could add, change and publish every page).
    GroupPagePermission.objects.filter(group=groups[MODERATORS]).delete()
    return groups


def ensure_policy_sign_off(apps):
    """The "Policy sign-off" workflow: one task, approved by a Moderator."""
    Group = apps.get_model("auth", "Group")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=MODERATOR_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=MODERATOR_TASK, content_type=task_type, active=True
        )
        task.groups.set([moderators])
    workflow, created = Workflow.objects.get_or_create(
        name=POLICY_SIGN_OFF, defaults={"active": True}
    )
    if created:
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def ensure_policy_pages(apps, page_ids=None):
    """Grant the Policy team its rights on the policy pages and put them under sign-off.

    ``page_ids``: only these pages (one just created); every policy page by default.
    A workflow an administrator has since chosen for one of those pages is left alone.
    """
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Workflow = apps.get_model("wagtailcore", "Workflow")

    policy_team = Group.objects.filter(name=POLICY_TEAM).first()
    workflow = Workflow.objects.filter(name=POLICY_SIGN_OFF, active=True).first()
    for app_label, model_name in POLICY_PAGE_MODELS:
        pages = apps.get_model(app_label, model_name).objects.all()
        if page_ids is not None:
            pages = pages.filter(pk__in=page_ids)
        ids = list(pages.values_list("pk", flat=True))
        if not ids:
            continue
        if policy_team is not None:
            codenames = POLICY_PAGE_PERMISSIONS[model_name.lower()]
            permissions = [_page_permission(apps, codename) for codename in codenames]
            for page_id in ids:
                for permission in permissions:
                    GroupPagePermission.objects.get_or_create(
                        group=policy_team, page_id=page_id, permission=permission
                    )
        if workflow is not None:
            for page_id in ids:
                WorkflowPage.objects.get_or_create(page_id=page_id, defaults={"workflow": workflow})


def ensure_home_pages(apps, page_ids=None):
    """Grant the Comms editors their page permissions on the home page, and only there.

    ``page_ids``: only these pages (one just created); every home page by default, and
    then grants the Comms editors hold anywhere else (Wagtail's root) are withdrawn.
    """
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    comms = Group.objects.filter(name=COMMS_EDITORS).first()
    if comms is None:
        return
    ids = []
    for app_label, model_name in HOME_PAGE_MODELS:
        pages = apps.get_model(app_label, model_name).objects.all()
        if page_ids is not None:
            pages = pages.filter(pk__in=page_ids)
        ids += list(pages.values_list("pk", flat=True))
    permissions = [_page_permission(apps, codename) for codename in COMMS_PAGE_PERMISSIONS]
    if page_ids is None:
        GroupPagePermission.objects.filter(group=comms).exclude(page_id__in=ids).delete()
    for page_id in ids:
        for permission in permissions:
            GroupPagePermission.objects.get_or_create(
                group=comms, page_id=page_id, permission=permission
            )


def retire_stock_editors(apps):
    """Wagtail's stock "Editors" group (add and change on the whole tree, every image and
    document) is none of the three roles: it loses every permission, and goes if nobody
    is in it. A group that still has members is kept, empty, so an administrator can see
    whom to move into one of the roles.
    """
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    group = Group.objects.filter(name=STOCK_EDITORS).first()
    if group is None:
        return
    GroupPagePermission.objects.filter(group=group).delete()
    GroupCollectionPermission.objects.filter(group=group).delete()
    group.permissions.clear()
    if not group.user_set.exists():
        group.delete()


def retire_stock_workflow(apps):
    """Only policy pages go through sign-off. Wagtail's stock "Moderators approval"
    workflow, assigned to the root page on install, would put every other page (a
    project, About) through a Moderator too: it is taken off every page and disabled
    (an administrator can still see it under Settings → Workflows). Anything waiting in
    it is cancelled, so its pages can be published directly again.
    """
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    stock = Workflow.objects.filter(name=STOCK_WORKFLOW).exclude(name=POLICY_SIGN_OFF)
    WorkflowPage.objects.filter(workflow__in=stock).delete()
    waiting = WorkflowState.objects.filter(
        workflow__in=stock, status__in=["in_progress", "needs_changes"]
    )
    TaskState.objects.filter(workflow_state__in=waiting, status="in_progress").update(
        status="cancelled"
    )
    waiting.update(status="cancelled")
    stock.update(active=False)


def publish_approved_revision(workflow_state, user=None):
    """``WAGTAIL_FINISH_WORKFLOW_ACTION``: publish what a workflow approved.

    Wagtail's own action publishes as the approver and so demands "publish" on the page;
    here the approval (which Wagtail checks: the approver is in the task's group) is the
    permission, so Moderators need none.
    """
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)


def ensure_all(apps):
    ensure_roles(apps)
    retire_stock_editors(apps)
    ensure_home_pages(apps)
    ensure_policy_sign_off(apps)
    ensure_policy_pages(apps)
