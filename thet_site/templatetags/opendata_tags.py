"""Links to a listing's open data: ``<link rel="alternate">`` in the head and the
visible "Download these N projects (CSV, JSON, IATI XML)" beside the result count, both
keeping the listing's filters."""

from typing import Any

from django import template
from django.http import HttpRequest
from django.template.context import Context
from django.utils.formats import number_format

from thet_site import opendata
from thet_site.opendata import FORMATS, data_url

register = template.Library()

# How each format is named, in the visible link, in its accessible name and in the head.
LABELS = {
    "csv": ("CSV", "as a spreadsheet", "text/csv"),
    "json": ("JSON", "as data", "application/json"),
    "xml": ("IATI XML", "in the IATI Standard", "application/xml"),
}


def links(page: Any, request: HttpRequest | None, querystring: str) -> list[dict[str, str]]:
    """The page's data formats (``data_formats``, else CSV and JSON) with their URLs."""
    return [
        {
            "url": data_url(page, request, fmt, querystring),
            "label": LABELS[fmt][0],
            "as": LABELS[fmt][1],
            "type": LABELS[fmt][2],
        }
        for fmt in getattr(page, "data_formats", FORMATS)
    ]


@register.inclusion_tag("components/open_data_links.html", takes_context=True)
def open_data_links(context: Context, page: Any, querystring: str, noun: str) -> dict[str, Any]:
    """``{% open_data_links page querystring "projects" %}``: alternate links for the head."""
    request = context["request"]
    return {"noun": noun, "links": links(page, request, querystring)}


@register.inclusion_tag("components/open_data_download.html", takes_context=True)
def open_data_download(
    context: Context, page: Any, count: int, singular: str, plural: str, querystring: str
) -> dict[str, Any]:
    """``{% open_data_download page 12 "project" "projects" querystring %}``."""
    request = context["request"]
    if count == 1:
        these = f"this {singular}"
    elif count > opendata.MAX_ROWS:
        these = f"the first {number_format(opendata.MAX_ROWS, force_grouping=True)} of these "
        these += f"{number_format(count, force_grouping=True)} {plural}"
    else:
        these = f"these {number_format(count, force_grouping=True)} {plural}"
    return {"these": these, "links": links(page, request, querystring)}
