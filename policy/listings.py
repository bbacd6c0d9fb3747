"""The publication listing (``/publications/``): its view-model and its open data twin.

``PublicationListing`` is the listing pattern of ``pages/listings.py``: the filter form
(``policy/forms.py``) and the page of publications, each worked out only when the
template shows it, so a kept rendering (``{% cache %}``) runs none of their queries.

Its search box uses Wagtail's search backend, as site search does (publications are long
texts: matching the words' stems in their body is what readers expect), with the same
bounded words (``pages.search.query_words``, at most six) and at most 500 matches, taken
as a list of ids into the filtered queryset. It has no facet counts, so that list is read
once. The project listing differs, for the reason given in ``partnerships/listings.py``.

The open data (``/publications/data.csv`` and ``data.json``, #16): the same publications
as the listing for the same filters (live, public, newest first), every one of them rather
than a page. The format is written by ``thet_site/opendata.py``; README.md ("Open data")
documents the fields. A fixed number of queries whatever the number of rows: the listing's
years (for its form), the filtered publications with their type and document, their
topics, and the site's organisation name (plus the search, when ``q`` is given).
"""

from __future__ import annotations

from django.utils.functional import cached_property

from pages.listings import Listing
from pages.models import SiteFooter
from policy.forms import PublicationFilterForm
from thet_site import opendata
from thet_site.siteurl import absolute_url

PUBLICATIONS_PER_PAGE = 12
FILTER_PARAMS = PublicationFilterForm.params()
# What the page cache keys the listing and its open data on (thet_site/pagecache.py).
PAGE_QUERY = PublicationFilterForm.query_params()
DATA_QUERY = PublicationFilterForm.data_query_params()


class PublicationListing(Listing):
    """The filter form and page of publications of a ``PublicationIndexPage``
    (``index``), which gives its publications (``listed_publications``) and the types
    and topics to filter by (``filter_options``)."""

    per_page = PUBLICATIONS_PER_PAGE

    @cached_property
    def items(self):
        return self.index.listed_publications()

    @cached_property
    def form(self):
        dates = self.items.order_by().dates("publication_date", "year")
        years = sorted({d.year for d in dates}, reverse=True)
        return PublicationFilterForm(self.request.GET, years=years, **self.index.filter_options())

    @cached_property
    def publications(self):
        return self.page


# --- open data --------------------------------------------------------------------------

CSV_HEADER = [
    "Title",
    "URL",
    "Type",
    "Topics",
    "Publication date",
    "Summary",
    "Document URL",
    "Document size (bytes)",
    "Document format",
    "Document media type",
]
# The parameters the data varies on: the listing's, without its page number.
DATA_PARAMS = PublicationFilterForm.data_params()


def publication_data(index, request) -> dict:
    """The publications the listing shows for ``request``'s filters, as JSON items and
    CSV rows (see ``opendata.respond``)."""
    listing = PublicationListing(index, request)
    publications, total = opendata.bounded(listing.filtered)
    items = []
    for publication in publications:
        document = publication.document
        items.append(
            {
                "title": publication.title,
                "url": absolute_url(request, publication.get_url(request)),
                "type": publication.publication_type.name if publication.publication_type else None,
                "topics": [topic.name for topic in publication.topics.all()],
                "publication_date": publication.publication_date.isoformat(),
                "summary": publication.summary,
                "document": {
                    "url": publication.document_absolute_url(request),
                    "size_bytes": document.file_size,
                    "format": publication.document_format,
                    "media_type": document.content_type,
                }
                if document
                else None,
            }
        )
    rows = []
    for item in items:
        document = item["document"] or {}
        rows.append(
            [
                item["title"],
                item["url"],
                item["type"],
                opendata.joined(item["topics"]),
                item["publication_date"],
                item["summary"],
                document.get("url"),
                document.get("size_bytes"),
                document.get("format"),
                document.get("media_type"),
            ]
        )
    return opendata.dataset(
        request,
        index,
        listing.querystring,
        attribution=SiteFooter.for_request(request).organisation_name,
        items=items,
        total=total,
        csv_header=CSV_HEADER,
        csv_rows=rows,
    )


def respond(index, request, fmt: str):
    return opendata.respond(
        request,
        fmt=fmt,
        kind="publications",
        title="THET's publications",
        params=DATA_PARAMS,
        build=lambda: publication_data(index, request),
    )
