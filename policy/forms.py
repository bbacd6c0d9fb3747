"""The publications listing's GET filter form."""

from django import forms
from django.core.validators import validate_slug
from django.utils.functional import cached_property

from pages.search import MAX_QUERY_LENGTH, clean_query, ignored_words_notice, query_words
from policy.models import PublicationPage, PublicationType, Topic

# Every query-string parameter the listing reads: what its kept rendering varies on.
FILTER_PARAMS = ("q", "type", "topic", "year", "page")

# At most this many search matches are kept (far more than anyone pages through).
MAX_MATCHES = 500
MAX_SLUG_LENGTH = 255  # the longest slug a snippet can have

# How each field's malformed value is explained to the visitor (the value is then ignored).
IGNORED = {
    "type": "That is not a publication type we could look up, so all types are shown.",
    "topic": "That is not a topic we could look up, so all topics are shown.",
    "year": "The year must be a four-digit year such as 2024, so all years are shown.",
}

# How a well-formed value that names nothing is explained (no publications then match,
# as on the project listing).
UNMATCHED = {
    "type": "We have no publication type “{value}”.",
    "topic": "We have no topic “{value}”.",
}


class SlugChoiceField(forms.ChoiceField):
    """A select of taxonomy slugs. Any well-formed slug is accepted, so one that names
    nothing gives an empty list with a message (as on the project listing); anything
    else is an error, and the form ignores it with a notice."""

    def valid_value(self, value):
        if len(value) > MAX_SLUG_LENGTH:
            return False
        try:
            validate_slug(value)
        except forms.ValidationError:
            return False
        return True


class PublicationFilterForm(forms.Form):
    """Filters for /publications/: `type`, `topic`, `year` and `q`.

    A bound form is always "usable": fields with bad values are left out of
    ``cleaned_data`` (and explained by ``notices``) and the others still apply, so a
    shared or mistyped URL shows a sensible list instead of an error.
    """

    q = forms.CharField(
        label="Search publications",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH}),
    )
    type = SlugChoiceField(label="Type", required=False)
    topic = SlugChoiceField(label="Topic", required=False)
    year = forms.IntegerField(
        label="Year",
        required=False,
        min_value=1900,
        max_value=2100,
        widget=forms.Select,
    )

    def __init__(self, data=None, *, years=(), **kwargs):
        super().__init__(data, **kwargs)
        self.ignored_notice = ""  # set by apply() when a search had words left out
        self.fields["year"].widget.choices = [("", "All years")] + [
            (str(year), str(year)) for year in years
        ]
        # Looked up only when the form is rendered or a value is checked.
        self.fields["type"].choices = lambda: [("", "All types"), *self._options["type"]]
        self.fields["topic"].choices = lambda: [("", "All topics"), *self._options["topic"]]

    @cached_property
    def _options(self) -> dict[str, list[tuple[str, str]]]:
        return {
            "type": list(PublicationType.objects.values_list("slug", "name")),
            "topic": list(Topic.objects.values_list("slug", "name")),
        }

    def clean_q(self):
        return self.cleaned_data["q"][:MAX_QUERY_LENGTH]

    @property
    def notices(self) -> list[str]:
        if not self.is_bound:
            return []
        return [IGNORED[name] for name in self.fields if name in self.errors and name in IGNORED]

    @property
    def unmatched(self) -> list[str]:
        """What the visitor asked for that names nothing we have (so nothing matches)."""
        if not self.is_bound:
            return []
        self.is_valid()
        messages = []
        for name, message in UNMATCHED.items():
            value = self.cleaned_data.get(name)
            if value and value not in {slug for slug, _ in self._options[name]}:
                messages.append(message.format(value=value))
        return messages

    @property
    def active(self) -> dict:
        """The filters that apply, as GET parameters (for pagination links)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        params = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            params[name] = getattr(value, "slug", value)
        return params

    def apply(self, publications):
        """Narrow a PublicationPage queryset by every valid filter."""
        if not self.is_bound:
            return publications
        self.is_valid()
        data = self.cleaned_data
        if data.get("type"):
            publications = publications.filter(publication_type__slug=data["type"])
        if data.get("topic"):
            publications = publications.filter(topics__slug=data["topic"])
        if data.get("year"):
            publications = publications.filter(publication_date__year=data["year"])
        # The same bounded words as site search and the project listing (#13).
        words = query_words(clean_query(data.get("q") or ""))
        self.ignored_notice = ignored_words_notice(words.ignored)
        query = words.query
        if query:
            matches = PublicationPage.objects.live().search(query, operator="and")[:MAX_MATCHES]
            publications = publications.filter(pk__in=[page.pk for page in matches])
        return publications
