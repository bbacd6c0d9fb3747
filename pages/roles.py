"""The editorial roles and the "Policy sign-off" workflow, and where they apply.

Three groups share the admin:

* **Comms editors** edit and publish every page, manage images and documents, the
  snippets (countries, themes, partners, publication types, topics), the footer setting
  and redirects.
* **Policy team** create and edit publications and the Policy Work page, and submit them
  for sign-off; they can upload the PDFs and covers they need. They cannot publish, nor
  touch the home page, other pages or the site settings.
* **Moderators** approve or reject what is submitted. They edit nothing themselves. They
  hold "publish" on the tree but neither "add" nor "change": Wagtail publishes an approved
  revision as the approving user, so an approver without "publish" could not approve.

Wagtail grants page permissions on a page and everything below it, not by page type.
So Comms editors hold theirs on the tree's root (which exists from the first migration),
while the Policy team's are granted on the Publications index and the Policy Work page
themselves. Those pages do not exist when migrations run on a fresh database, so the
grants (and the workflow's assignment to those pages) are made by `ensure_policy_pages`,
which runs from the data migration (for a site that already has the pages), from the
seed loader, and whenever such a page is created (see `pages.signals`).

Every function takes an app registry, so the data migration can call it with its
historical models and the running site with the real ones. Every function is
idempotent.
"""

COMMS_EDITORS = "Comms editors"
POLICY_TEAM = "Policy team"
MODERATORS = "Moderators"
ROLE_NAMES = (COMMS_EDITORS, POLICY_TEAM, MODERATORS)

POLICY_SIGN_OFF = "Policy sign-off"
MODERATOR_TASK = "Moderator sign-off"

# The page types whose subtree the Policy team works in, and which go through sign-off.
POLICY_PAGE_MODELS = (("policy", "PublicationIndexPage"), ("policy", "PolicyWorkPage"))

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
        ("pages", "sitefooter", "change_sitefooter"),
        ("wagtailredirects", "redirect", "add_redirect"),
        ("wagtailredirects", "redirect", "change_redirect"),
        ("wagtailredirects", "redirect", "delete_redirect"),
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
MODERATOR_PAGE_PERMISSIONS = ["publish_page"]
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
    """Create the three groups with exactly their model, collection and root permissions.

    "Moderators" already exists on a Wagtail install with add/change/publish on the whole
    tree and full image rights; it is narrowed here to approving submissions only.
    """
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Page = apps.get_model("wagtailcore", "Page")

    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    root_page = Page.objects.filter(depth=1).order_by("path").first()
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

    for name, codenames in (
        (COMMS_EDITORS, COMMS_PAGE_PERMISSIONS),
        (MODERATORS, MODERATOR_PAGE_PERMISSIONS),
    ):
        wanted = [_page_permission(apps, codename) for codename in codenames]
        if name == MODERATORS:
            # Wagtail's stock Moderators could add and change every page: not ours.
            GroupPagePermission.objects.filter(group=groups[name]).exclude(
                page=root_page, permission__in=wanted
            ).delete()
        for permission in wanted:
            GroupPagePermission.objects.get_or_create(
                group=groups[name], page=root_page, permission=permission
            )
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


def ensure_all(apps):
    ensure_roles(apps)
    ensure_policy_sign_off(apps)
    ensure_policy_pages(apps)
