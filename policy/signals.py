"""Keep the record of which live links released which documents (``policy/holdback.py``)."""

from wagtail.signals import page_published, page_unpublished

from policy import holdback


def on_published(sender, instance, **kwargs):
    holdback.record_link_releases(instance)


def on_unpublished(sender, instance, **kwargs):
    holdback.forget_link_releases(instance)


def connect():
    page_published.connect(on_published, dispatch_uid="policy_link_releases_published")
    page_unpublished.connect(on_unpublished, dispatch_uid="policy_link_releases_unpublished")
