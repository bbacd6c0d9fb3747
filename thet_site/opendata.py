"""The listings' open data twins: the same rows as CSV and as JSON.

Each listing (``partnerships/listings.py``, ``policy/listings.py``) declares its JSON
fields (``data_items``) and its CSV columns (``data_columns``, read by ``table``); the
listing pattern (``pages/listings.py``, ``Listing.respond_with_data``) filters the rows
with the listing's own form and hands them to ``respond`` here, which writes one of two
formats (or a listing's own, such as the projects' IATI XML):

* CSV: UTF-8 with a byte order mark (so Excel reads accents and "£"), one header row,
  multi-valued cells joined with "; ", every cell passed through ``csvsafe.neutralise``,
  and a ``Content-Disposition`` file name that says what was filtered
  (``thet-projects-theme-ncds.csv``, ``thet-projects-all.csv``).
* JSON, in this shape (documented in docs/open-data.md)::

    {"title": ..., "source": <the listing's URL with the same filters>,
     "licence": {"id": "CC-BY-4.0", "name": ..., "url": ..., "attribution": ...},
     "generated": <ISO 8601 time>, "filters": {<parameter>: <value>, ...},
     "count": <rows in "items">, "total": <rows matching>, "truncated": <bool>,
     "items": [...]}

At most ``MAX_ROWS`` rows go out (far more than THET has projects or publications); a
larger result says so (``truncated``, and ``X-Total-Count`` / ``X-Truncated`` headers on
the CSV) rather than costing an unbounded response.

The whole-page cache keeps these responses for anonymous visitors like any page; for
everyone else the body is kept in the fragment cache under the content generation, so
either way publishing a change drops them at once (``thet_site/pagecache.py``).
Base layer: no feature app imported.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from thet_site.csvsafe import neutralise
from thet_site.fragments import remember, vary_on_params
from thet_site.siteurl import absolute_url

MAX_ROWS = 2000
MAX_FILENAME_FILTERS = 80  # characters of the file name that describe the filters

LICENCE_ID = "CC-BY-4.0"
LICENCE_NAME = "Creative Commons Attribution 4.0 International"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"
FORMATS = ("csv", "json")


def data_url(page: Any, request: HttpRequest | None, fmt: str, querystring: str = "") -> str:
    """The address of ``page``'s open data in ``fmt`` with the listing's filters:
    ``/our-work/projects/data.csv?theme=ncds`` (the page's route, without the slash
    Wagtail's routing adds)."""
    route: str = page.reverse_subpage("data", kwargs={"fmt": fmt}).rstrip("/")
    url: str = page.get_url(request)
    return url + route + (f"?{querystring}" if querystring else "")


def bounded(queryset: QuerySet[Any], limit: int | None = None) -> tuple[list[Any], int]:
    """At most ``limit`` (``MAX_ROWS``) of ``queryset`` as a list, and how many match in
    all (one query, and a count only when there are more)."""
    limit = MAX_ROWS if limit is None else limit
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, len(rows)
    return rows[:limit], queryset.count()


def joined(values: Iterable[object]) -> str:
    """A multi-valued CSV cell."""
    return "; ".join(str(value) for value in values if value)


def download_name(kind: str, querystring: str, extension: str) -> str:
    """``thet-<kind>-<filter>-<value>...<extension>``, or ``thet-<kind>-all``: only
    lower-case letters, digits and hyphens, whatever the filter values."""
    words = "-".join(f"{name}-{value}" for name, value in parse_qsl(querystring))
    described = slugify(words)[:MAX_FILENAME_FILTERS].strip("-") or "all"
    return f"thet-{kind}-{described}.{extension}"


def write_csv(header: list[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a BOM, CRLF line ends (RFC 4180), every cell neutralised."""

    class Buffer(list[str]):
        def write(self, text: str) -> None:
            self.append(text)

    buffer = Buffer(["\ufeff"])
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise("" if cell is None else cell) for cell in row])
    return "".join(buffer).encode("utf-8")


def respond(
    request: HttpRequest,
    *,
    fmt: str,
    kind: str,
    title: str,
    params: tuple[str, ...],
    build: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """The CSV or JSON response for a listing's rows.

    ``params``: the query-string parameters the listing reads (the cache varies on them).
    ``build()`` returns a dict: ``querystring`` (the valid filters), ``source`` (the
    listing's absolute URL), ``attribution``, ``items`` (JSON objects), ``total``,
    ``csv_header`` and ``csv_rows`` (lists of cells, in the items' order). For another
    format (a listing's own, such as the projects' IATI XML) it returns ``body`` (bytes),
    ``content_type``, ``count`` and ``total``, and may set ``status``.
    """

    def render() -> tuple[dict[str, str], bytes]:
        data = build()
        total = data["total"]
        headers: dict[str, str] = {}
        if fmt not in FORMATS:
            headers["Content-Type"] = data["content_type"]
            headers["Status"] = str(data.get("status", 200))
            headers["X-Total-Count"] = str(total)
            if total > data["count"]:
                headers["X-Truncated"] = f"first {data['count']} of {total} rows"
            return headers, data["body"]
        items = data["items"]
        if fmt == "csv":
            body = write_csv(data["csv_header"], data["csv_rows"])
            name = download_name(kind, data["querystring"], "csv")
            headers["Content-Type"] = CSV_TYPE
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
            headers["X-Total-Count"] = str(total)
            if total > len(items):
                headers["X-Truncated"] = f"first {len(items)} of {total} rows"
        else:
            payload = {
                "title": title,
                "source": data["source"],
                "licence": {
                    "id": LICENCE_ID,
                    "name": LICENCE_NAME,
                    "url": LICENCE_URL,
                    "attribution": data["attribution"],
                },
                "generated": timezone.now().replace(microsecond=0).isoformat(),
                "filters": dict(parse_qsl(data["querystring"])),
                "count": len(items),
                "total": total,
                "truncated": total > len(items),
                "items": items,
            }
            body = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
            headers["Content-Type"] = JSON_TYPE
        return headers, body

    vary = (fmt, vary_on_params(request, params))
    headers, body = remember(request, f"opendata:{kind}", vary, render)
    response = HttpResponse(
        body, content_type=headers.pop("Content-Type"), status=int(headers.pop("Status", 200))
    )
    for name, value in headers.items():
        response[name] = value
    # Public data, the same for everyone (no cookie changes it): readable by any site's
    # scripts, as open data should be.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def table(
    columns: Sequence[tuple[str, Callable[[dict[str, Any]], Any]]], items: list[dict[str, Any]]
) -> dict[str, Any]:
    """The CSV part of a listing's ``build()``: ``columns`` is what the listing declares,
    ``(header, cell)`` pairs in order, ``cell(item)`` giving the cell of one JSON item."""
    return {
        "csv_header": [header for header, _ in columns],
        "csv_rows": [[cell(item) for _, cell in columns] for item in items],
    }


def dataset(request: HttpRequest, index: Any, querystring: str, **fields: Any) -> dict[str, Any]:
    """What a listing's ``build`` returns: its rows (``fields``) with the query string and
    the absolute address of the listing state they mirror."""
    listing = index.get_url(request) + (f"?{querystring}" if querystring else "")
    return {"querystring": querystring, "source": absolute_url(request, listing), **fields}
