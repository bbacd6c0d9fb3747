"""The publication listing's GET filter form (a ``pages.listings.FilterForm``).

Filters for ``/publications/``: ``type``, ``topic``, ``year`` and ``q``. Bad input is
handled as on every listing (``pages/listings.py``): a malformed value is ignored and
named, the other filters still apply; a well-formed type or topic that names nothing
matches no publications, and the page says so.

The form imports no model: it is given the years and the types and topics it offers
(querysets, read only when the form is rendered or a value is checked), so the dependency
runs one way, models → listings → forms.
"""

from django import forms
from django.utils.functional import cached_property

from pages.listings import FilterForm, SlugFilterField
from pages.search import MAX_QUERY_LENGTH

# At most this many search matches are kept (far more than anyone pages through).
MAX_MATCHES = 500


class PublicationFilterForm(FilterForm):
    q = forms.CharField(
        label="Search publications",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH}),
    )
    type = SlugFilterField(
        label="Type",
        required=False,
        error_messages={
            "invalid_choice": "That is not a publication type we could look up, so all "
            "types are shown."
        },
    )
    topic = SlugFilterField(
        label="Topic",
        required=False,
        error_messages={
            "invalid_choice": "That is not a topic we could look up, so all topics are shown."
        },
    )
    year = forms.IntegerField(
        label="Year",
        required=False,
        min_value=1900,
        max_value=2100,
        widget=forms.Select,
        error_messages={
            name: "The year must be a four-digit year such as 2024, so all years are shown."
            for name in ("invalid", "min_value", "max_value")
        },
    )

    unmatched_messages = {
        "type": "We have no publication type “{value}”.",
        "topic": "We have no topic “{value}”.",
    }

    def __init__(self, data=None, *, years=(), types, topics, **kwargs):
        """``years``: the years with publications, newest first; ``types``, ``topics``:
        the publication types and topics (querysets)."""
        self.types, self.topics = types, topics
        super().__init__(data, **kwargs)
        self.fields["year"].widget.choices = [("", "All years")] + [
            (str(year), str(year)) for year in years
        ]
        # Looked up only when the form is rendered or a value is checked.
        self.fields["type"].choices = lambda: [("", "All types"), *self._options["type"]]
        self.fields["topic"].choices = lambda: [("", "All topics"), *self._options["topic"]]

    @cached_property
    def _options(self) -> dict[str, list[tuple[str, str]]]:
        return {
            "type": list(self.types.values_list("slug", "name")),
            "topic": list(self.topics.values_list("slug", "name")),
        }

    def names_nothing(self, name: str, value) -> bool:
        return value not in {slug for slug, _ in self._options[name]}

    def apply(self, publications):
        """Narrow a PublicationPage queryset by every valid filter."""
        filters = self.filters
        if filters.get("type"):
            publications = publications.filter(publication_type__slug=filters["type"])
        if filters.get("topic"):
            publications = publications.filter(topics__slug=filters["topic"])
        if filters.get("year"):
            publications = publications.filter(publication_date__year=filters["year"])
        # The same bounded words as site search and the project listing, searched
        # with Wagtail's backend like site search (the words' stems, in the reports' text).
        if self.query:
            matches = publications.model.objects.live().search(self.query, operator="and")
            ids = [page.pk for page in matches[:MAX_MATCHES]]
            publications = publications.filter(pk__in=ids)
        return publications
