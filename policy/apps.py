from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "policy"
    verbose_name = "Policy and publications"

    def ready(self):
        # These import models, so they load once the app registry is ready, not at the top
        # of apps.py, which loads before models (Django's convention).
        from django.db.models.signals import post_save  # noqa: PLC0415
        from wagtail.documents import get_document_model  # noqa: PLC0415

        from policy import signals  # noqa: PLC0415
        from policy.pdfcheck import check_saved_document  # noqa: PLC0415

        signals.connect()

        # Every PDF saved to the library is checked for accessibility, once per file.
        post_save.connect(
            check_saved_document,
            sender=get_document_model(),
            dispatch_uid="policy-pdf-accessibility-check",
        )
