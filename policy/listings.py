"""The publication listing (``/publications/``): its view-model and its open data twin.

``PublicationListing`` is the listing pattern of ``pages/listings.py``: the filter form
(``policy/forms.py``) and the page of publications, each worked out only when the
template shows it, so a kept rendering (``{% cache %}``) runs none of their queries.

Its search box uses Wagtail's search backend, as site search does (publications are long
texts: matching the words' stems in their body is what readers expect), with the same
bounded words (``pages.search.query_words``, at most six) and at most 500 matches, taken
as a list of ids into the filtered queryset. It has no facet counts, so that list is read
once. The project listing differs, for the reason given in ``partnerships/listings.py``.

The open data (``/publications/data.csv`` and ``data.json``): the same publications
as the listing for the same filters (live, public, newest first), every one of them rather
than a page. The format is written by ``thet_site/opendata.py``; docs/open-data.md
documents the fields. A fixed number of queries whatever the number of rows: the listing's
years (for its form), the filtered publications with their type and document, their
topics, and the site's organisation name (plus the search, when ``q`` is given).
"""

from __future__ import annotations

from django.utils.functional import cached_property

from pages.listings import Listing
from policy.forms import PublicationFilterForm
from thet_site import opendata
from thet_site.siteurl import absolute_url

PUBLICATIONS_PER_PAGE = 12


class PublicationListing(Listing):
    """The filter form and page of publications of a ``PublicationIndexPage``
    (``index``), which gives its publications (``listed_publications``) and the types
    and topics to filter by (``filter_options``)."""

    per_page = PUBLICATIONS_PER_PAGE
    form_class = PublicationFilterForm

    @cached_property
    def items(self):
        return self.index.listed_publications()

    @cached_property
    def form(self):
        dates = self.items.order_by().dates("publication_date", "year")
        years = sorted({d.year for d in dates}, reverse=True)
        return self.form_class(self.request.GET, years=years, **self.index.filter_options())

    @cached_property
    def publications(self):
        return self.page

    data_kind = "publications"
    data_title = "THET's publications"

    @property
    def data_columns(self):
        return CSV_COLUMNS

    def data_items(self, publications) -> list[dict]:
        request = self.request
        items = []
        for publication in publications:
            document = publication.document
            items.append(
                {
                    "title": publication.title,
                    "url": absolute_url(request, publication.get_url(request)),
                    "type": publication.publication_type.name
                    if publication.publication_type
                    else None,
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
        return items


# --- open data --------------------------------------------------------------------------


def document_cell(key):
    return lambda item: (item["document"] or {}).get(key)


CSV_COLUMNS = [
    ("Title", lambda item: item["title"]),
    ("URL", lambda item: item["url"]),
    ("Type", lambda item: item["type"]),
    ("Topics", lambda item: opendata.joined(item["topics"])),
    ("Publication date", lambda item: item["publication_date"]),
    ("Summary", lambda item: item["summary"]),
    ("Document URL", document_cell("url")),
    ("Document size (bytes)", document_cell("size_bytes")),
    ("Document format", document_cell("format")),
    ("Document media type", document_cell("media_type")),
]
