"""Metadata for search engines and shared links: ``{% page_meta as meta %}``, and
``{% json_ld data %}`` for a page's own structured data.

Used by ``templates/components/meta_tags.html``. Everything is computed here so the
template only prints; values are escaped by the template, and the JSON-LD is built and
serialised by ``pages/structured_data.py`` (one serialiser for every block), with ``<``,
``>`` and ``&`` escaped so editor text can never close the script element.
"""

import logging
import re
from urllib.parse import unquote

from django import template
from django.templatetags.static import static
from wagtail.models import Page, Site

from pages import structured_data
from pages.models import SiteFooter
from pages.pictures import share_image
from pages.search import clean_query
from thet_site.routing import ancestors as ancestors_of
from thet_site.siteurl import absolute_url, base_url

register = template.Library()
logger = logging.getLogger(__name__)

LOGO = "img/thet-logo.svg"


@register.simple_tag
def json_ld(data):
    """``{% json_ld page_data %}``: a page's own schema.org data as a
    ``<script type="application/ld+json">`` block (e.g. a publication's Report)."""
    return structured_data.script(data)


def _absolute(root_url: str, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return root_url.split("//", 1)[0] + url
    return root_url + url


def _root_url(site, request) -> str:
    """The site's public address without a trailing slash (thet_site.siteurl)."""
    return base_url(request)


def _full_url(page, request) -> str:
    url = page.get_url(request)
    return absolute_url(request, url) if url else ""


def _share_image(page, root_url):
    """(absolute url, width, height, alt) of the page's share image."""
    image = share_image(page)
    return _absolute(root_url, image.url), image.width, image.height, image.alt


def _summary(page) -> str:
    getter = getattr(page, "get_summary", None)
    text = getter() if callable(getter) else getattr(page, "search_description", "")
    return " ".join((text or "").split())


def _organisation(site, root_url, home, request):
    footer = SiteFooter.for_request(request) if request is not None else None
    name = footer.organisation_name if footer else "THET"
    address = footer.address if footer else ""
    return structured_data.organisation(
        root_url=root_url,
        name=name,
        site_name=site.site_name if site else "",
        logo_url=_absolute(root_url, static(LOGO)),
        description=_summary(home) if home is not None else "",
        email=footer.email if footer else "",
        address_lines=[line.strip() for line in address.splitlines() if line.strip()],
        same_as=[link.value["url"] for link in footer.social_links if link.value.get("url")]
        if footer
        else [],
    )


def _breadcrumbs(page, site, request):
    root = site.root_page if site else None
    ancestors = ancestors_of(request, page, root.depth if root is not None else 2)
    return structured_data.breadcrumb_list(
        [
            (
                "Home" if root is not None and crumb.pk == root.pk else crumb.title,
                _full_url(crumb, request),
            )
            for crumb in [*ancestors, page]
        ]
    )


@register.simple_tag(takes_context=True)
def page_meta(context):
    """Title, description, canonical URL, share image and JSON-LD for the current page."""
    request = context.get("request")
    page = context.get("page")
    if not isinstance(page, Page):
        page = None
    site = Site.find_for_request(request) if request is not None else None
    root_url = _root_url(site, request)
    if page is None:
        description = context.get("meta_description")
        if description is None:  # the site's own description, from its home page
            home = site.root_page.specific if site is not None else None
            description = _summary(home) if home is not None else ""
        image_url, width, height, alt = _share_image(None, root_url)
        # A view that is not a page (search) may name its own canonical path.
        canonical_path = context.get("canonical_path")
        return {
            "title": context.get("meta_title") or (site.site_name if site else "THET"),
            "description": description,
            "canonical": _absolute(root_url, canonical_path) if canonical_path else "",
            "type": "website",
            "image": image_url,
            "image_width": width,
            "image_height": height,
            "image_alt": alt,
            "json_ld": "",
        }

    is_home = site is not None and page.pk == site.root_page_id
    image_url, width, height, alt = _share_image(page, root_url)
    published = None
    publication_date = getattr(page, "publication_date", None)
    if publication_date is not None:
        published = publication_date.isoformat()
    data = (
        _organisation(site, root_url, page, request)
        if is_home
        else _breadcrumbs(page, site, request)
    )
    return {
        "title": page.seo_title or page.title,
        "description": _summary(page),
        "canonical": _full_url(page, request),
        "type": "article" if published else "website",
        "published": published,
        "image": image_url,
        "image_width": width,
        "image_height": height,
        "image_alt": alt,
        "json_ld": structured_data.dumps(data),
    }


@register.simple_tag(takes_context=True)
def site_root_url(context) -> str:
    """The current site's address without a trailing slash, e.g. ``https://www.thet.org``."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    return _root_url(site, request)


@register.filter
def path_words(path) -> str:
    """Words from the last part of a missing address, to suggest as a search on the 404 page.

    ``/resources/experts-in-our-midst-report.pdf`` → ``experts in our midst report``.
    """
    last = unquote(str(path or "")).rstrip("/").rsplit("/", 1)[-1]
    last = re.sub(r"\.(php|html?|aspx?|pdf|docx?)$", "", last, flags=re.IGNORECASE)
    words = [w for w in re.split(r"[\W_]+", last) if w and not w.isdigit()]
    return clean_query(" ".join(words))[:100]
