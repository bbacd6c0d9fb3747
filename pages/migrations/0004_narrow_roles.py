"""Narrow the roles to what the README says (#13, #15).

* Moderators lose "publish" on the whole tree: approving publishes without it
  (`pages.roles.publish_approved_revision`).
* Comms editors' page permissions move from Wagtail's root to the home page, and they
  may manage promoted search results.
* Wagtail's stock "Editors" group (add and change on the whole tree) is retired.

Backwards restores the grants of 0002 and Wagtail's stock "Editors".
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from pages import roles

# What 0002 granted on the root page, and what Wagtail gives its stock "Editors".
OLD_ROOT_PAGE_PERMISSIONS = {
    roles.COMMS_EDITORS: roles.COMMS_PAGE_PERMISSIONS,
    roles.MODERATORS: ["publish_page"],
    roles.STOCK_EDITORS: ["add_page", "change_page"],
}
STOCK_EDITORS_COLLECTION_PERMISSIONS = [
    (app, model, f"{action}_{model}")
    for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document"))
    for action in ("add", "change", "delete", "choose")
]


def forwards(apps, schema_editor):
    # As in 0002: the permissions must exist before the groups can be given them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles.ensure_roles(apps)
    roles.retire_stock_editors(apps)
    roles.ensure_home_pages(apps)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Page = apps.get_model("wagtailcore", "Page")

    root_page = Page.objects.filter(depth=1).order_by("path").first()
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    comms = Group.objects.filter(name=roles.COMMS_EDITORS).first()
    if comms is not None:
        GroupPagePermission.objects.filter(group=comms).exclude(page=root_page).delete()
        comms.permissions.remove(
            *comms.permissions.filter(content_type__app_label="wagtailsearchpromotions")
        )
    editors, _ = Group.objects.get_or_create(name=roles.STOCK_EDITORS)
    editors.permissions.add(roles._permission(apps, "wagtailadmin", "admin", "access_admin"))
    for spec in STOCK_EDITORS_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=editors, collection=root_collection, permission=roles._permission(apps, *spec)
        )
    for name, codenames in OLD_ROOT_PAGE_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is None or root_page is None:
            continue
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=roles._page_permission(apps, codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0003_block_help_and_previews"),
        ("wagtailsearchpromotions", "0008_query_verbose_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
