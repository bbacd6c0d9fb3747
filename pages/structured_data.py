"""schema.org structured data (JSON-LD), built here and serialised by one function.

Every object is built here from plain values: the organisation and its website on the
home page, the breadcrumb trail on every other page, and a publication's ``Report`` or
``ScholarlyArticle`` (``article``: ``PublicationPage.structured_data`` only gathers its
values). ``{% json_ld %}`` (``pages/templatetags/seo_tags.py``) renders them all with
the same serialiser. This module imports no app.

``dumps`` applies the escapes of Django's ``json_script`` (``<``, ``>`` and ``&``, and
the two JavaScript line separators), so nothing an editor types can close the
``<script>`` element or start markup.
"""

import json
from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

CONTEXT = "https://schema.org"
ALTERNATE_NAMES = ["THET", "Global Health Partnerships"]

_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def dumps(data: dict) -> SafeString:
    """JSON text for a ``<script type="application/ld+json">`` element, safe from breakout."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_ESCAPES))  # noqa: S308 - '<', '>' and '&' are escaped


def script(data: dict) -> SafeString:
    """The whole ``<script type="application/ld+json">`` element.

    It is a data block: browsers never execute it, so it needs no CSP allowance (unlike
    an inline script).
    """
    return format_html('<script type="application/ld+json">{}</script>', dumps(data))


def organisation(
    *,
    root_url: str,
    name: str,
    site_name: str,
    logo_url: str,
    description: str = "",
    email: str = "",
    address_lines: Sequence[str] = (),
    same_as: Sequence[str] = (),
) -> dict:
    """The home page's graph: the ``Organization`` and its ``WebSite`` with site search."""
    org: dict[str, Any] = {
        "@type": "Organization",
        "@id": root_url + "/#organisation",
        "name": name,
        "alternateName": list(ALTERNATE_NAMES),
        "url": root_url + "/",
        "logo": logo_url,
    }
    if description:
        org["description"] = description
    if email:
        org["email"] = email
    if address_lines:
        org["address"] = {"@type": "PostalAddress", "streetAddress": ", ".join(address_lines)}
    if same_as:
        org["sameAs"] = list(same_as)
    website = {
        "@type": "WebSite",
        "@id": root_url + "/#website",
        "name": site_name or name,
        "url": root_url + "/",
        "publisher": {"@id": org["@id"]},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": root_url + "/search/?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }
    return {"@context": CONTEXT, "@graph": [org, website]}


def breadcrumb_list(crumbs: list[tuple[str, str]]) -> dict:
    """A ``BreadcrumbList`` from ``(name, absolute url)`` pairs, the home page first."""
    items = [
        {"@type": "ListItem", "position": position, "name": name, "item": url}
        for position, (name, url) in enumerate(crumbs, start=1)
    ]
    return {"@context": CONTEXT, "@type": "BreadcrumbList", "itemListElement": items}


def article(
    *,
    schema_type: str,
    title: str,
    description: str,
    url: str,
    published,
    modified,
    publisher: str,
    home_url: str,
    authors: Sequence[str] = (),
    image: str = "",
    genre: str = "",
    keywords: Sequence[str] = (),
    document: dict | None = None,
    article_body: str = "",
    parts: Sequence[tuple[str, str]] = (),
) -> dict:
    """A ``Report`` or ``ScholarlyArticle`` published by the organisation, with what
    Google's article guidelines ask for beyond the basics. ``document``: the
    download's ``url``, ``content_type`` and ``filename``. A publication published as a web
    page too gives its words as ``articleBody`` and each section (name, absolute address
    of its anchor) as a part."""
    organisation = {"@type": "Organization", "name": publisher, "url": home_url}
    data = {
        "@context": CONTEXT,
        "@type": schema_type,
        "headline": title,
        "name": title,
        "description": description,
        "datePublished": published.isoformat(),
        "url": url,
        "inLanguage": "en-GB",
        "publisher": organisation,
        "author": [{"@type": "Person", "name": name} for name in authors] or [organisation],
        "dateModified": modified.isoformat(),
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "image": image,
    }
    if genre:
        data["genre"] = genre
    if keywords:
        data["keywords"] = ", ".join(keywords)
    if document:
        data["encoding"] = {
            "@type": "MediaObject",
            "contentUrl": document["url"],
            "encodingFormat": document["content_type"],
            "name": document["filename"],
        }
    if article_body:
        data["articleBody"] = article_body
    if parts:
        data["hasPart"] = [
            {"@type": "WebPageElement", "name": name, "url": part_url} for name, part_url in parts
        ]
    return data
