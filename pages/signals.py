"""Give a newly created policy page its Policy team grants and its sign-off workflow,
and a new home page the Comms editors' grants."""

from django.apps import apps
from django.db.models.signals import post_save

from pages import roles


def policy_page_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        roles.ensure_policy_pages(apps, page_ids=[instance.pk])


def home_page_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        roles.ensure_home_pages(apps, page_ids=[instance.pk])


def connect():
    for app_label, model_name in roles.POLICY_PAGE_MODELS:
        post_save.connect(
            policy_page_created,
            sender=apps.get_model(app_label, model_name),
            dispatch_uid=f"thet-policy-page-created-{model_name}",
        )
    for app_label, model_name in roles.HOME_PAGE_MODELS:
        post_save.connect(
            home_page_created,
            sender=apps.get_model(app_label, model_name),
            dispatch_uid=f"thet-home-page-created-{model_name}",
        )
