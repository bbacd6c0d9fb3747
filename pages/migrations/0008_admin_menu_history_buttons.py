"""Nothing an editor does is lost, and no daily job needs a developer.

* Comms editors may change the main menu (they already had the footer).
* Wagtail's stock "Moderators approval" workflow comes off the root page: only the
  policy pages go through sign-off (``roles.retire_stock_workflow``).
* Every page without a revision gets its first one, so it can be restored
  (``pages.versions.give_pages_a_first_revision``).
* The home page's two standard buttons become stored content
  (``pages.versions.store_home_buttons``), and the field says so.

Backwards leaves the data as it is (nothing here loses anything).
"""

import wagtail.fields
from django.contrib.auth.management import create_permissions
from django.db import migrations

from pages import roles, versions


def roles_and_workflow(apps, schema_editor):
    # As in 0002: the permissions must exist before the groups can be given them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles.ensure_roles(apps)
    roles.retire_stock_workflow(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0007_search_text_index"),
        ("policy", "0005_pictures_alt_text"),
        ("partnerships", "0004_pictures_alt_text"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AlterField(
            model_name="homepage",
            name="hero_links",
            field=wagtail.fields.StreamField(
                [("link", 3)],
                blank=True,
                block_lookup={
                    0: (
                        "wagtail.blocks.PageChooserBlock",
                        (),
                        {"help_text": "A page on this site.", "required": False},
                    ),
                    1: (
                        "wagtail.blocks.URLBlock",
                        (),
                        {"help_text": "Or an address on another site.", "required": False},
                    ),
                    2: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "What the link says; leave blank to use the page's title.",
                            "max_length": 40,
                            "required": False,
                        },
                    ),
                    3: ("wagtail.blocks.StructBlock", [[("page", 0), ("url", 1), ("label", 2)]], {}),
                },
                help_text="Up to three buttons under the introduction, in order: the first is "
                "the main one. Remove a button to hide it; with none, no buttons are shown.",
                verbose_name="buttons",
            ),
        ),
        migrations.RunPython(roles_and_workflow, migrations.RunPython.noop),
        migrations.RunPython(versions.give_pages_a_first_revision, migrations.RunPython.noop),
        migrations.RunPython(versions.store_home_buttons, migrations.RunPython.noop),
    ]
