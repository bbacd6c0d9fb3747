from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "policy"
    verbose_name = "Policy and publications"

    def ready(self):
        # Imports models, so it loads once the app registry is ready (Django's convention).
        from policy import signals  # noqa: PLC0415

        signals.connect()
