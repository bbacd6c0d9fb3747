"""Template tags for publications."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The same escapes as Django's `json_script`: nothing in the data can close the element
# or start markup, whatever an editor typed.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """Render ``data`` as a schema.org JSON-LD block.

    A ``<script type="application/ld+json">`` is a data block: browsers never execute it,
    so it needs no CSP allowance (unlike an inline script).
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),  # noqa: S308 - escaped above
    )
