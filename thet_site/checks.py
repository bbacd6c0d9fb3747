"""System checks of our own, run by ``manage.py check --deploy``."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_set(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> Sequence[CheckMessage]:
    if settings.SITE_URL:
        return []
    return [
        Warning(
            "SITE_URL is not set: canonical links, the sitemap, robots.txt and the feed "
            "use the Wagtail Site record, which is http://localhost/ until it is changed.",
            hint="Set SITE_URL to the public address, e.g. https://www.thet.org.",
            id="thet.W001",
        )
    ]


@register(Tags.security, deploy=True)
def two_factor_is_required(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> Sequence[CheckMessage]:
    if getattr(settings, "REQUIRE_2FA", False):
        return []
    return [
        Warning(
            "REQUIRE_2FA is off: staff who can publish sign in with a password alone.",
            hint="Leave REQUIRE_2FA unset (on when DEBUG is off) on every public server.",
            id="thet.W002",
        )
    ]
