"""Create the editorial roles and the "Policy sign-off" workflow on every install.

See pages/roles.py for what each role may do and why the Policy team's page grants
are also made when the policy pages are created.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from pages import roles


def forwards(apps, schema_editor):
    # Model permissions are normally created after all migrations have run; make sure
    # the ones the roles need exist now (a fresh database has none of ours yet).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles.ensure_all(apps)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    Workflow.objects.filter(name=roles.POLICY_SIGN_OFF).delete()
    Task.objects.filter(name=roles.MODERATOR_TASK).delete()
    # "Moderators" came with Wagtail; only the groups this migration added go.
    Group.objects.filter(name__in=[roles.COMMS_EDITORS, roles.POLICY_TEAM]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_initial"),
        ("policy", "0001_initial"),
        ("partnerships", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
