"""The publications listing's GET filter form."""

from django import forms

from pages.search import MAX_QUERY_LENGTH, clean_query
from policy.models import PublicationPage, PublicationType, Topic

# Every query-string parameter the listing reads: what its kept rendering varies on.
FILTER_PARAMS = ("q", "type", "topic", "year", "page")

# At most this many search matches are kept (far more than anyone pages through).
MAX_MATCHES = 500

# How each field's bad value is explained to the visitor (the value is then ignored).
IGNORED = {
    "type": "We don't have that type of publication, so all types are shown.",
    "topic": "We don't have that topic, so all topics are shown.",
    "year": "The year must be a four-digit year such as 2024, so all years are shown.",
}


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
    type = forms.ModelChoiceField(
        label="Type",
        queryset=PublicationType.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All types",
    )
    topic = forms.ModelChoiceField(
        label="Topic",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All topics",
    )
    year = forms.IntegerField(
        label="Year",
        required=False,
        min_value=1900,
        max_value=2100,
        widget=forms.Select,
    )

    def __init__(self, data=None, *, years=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].widget.choices = [("", "All years")] + [
            (str(year), str(year)) for year in years
        ]

    def clean_q(self):
        return self.cleaned_data["q"][:MAX_QUERY_LENGTH]

    @property
    def notices(self) -> list[str]:
        if not self.is_bound:
            return []
        return [IGNORED[name] for name in self.fields if name in self.errors and name in IGNORED]

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
            publications = publications.filter(publication_type=data["type"])
        if data.get("topic"):
            publications = publications.filter(topics=data["topic"])
        if data.get("year"):
            publications = publications.filter(publication_date__year=data["year"])
        query = clean_query(data.get("q") or "")
        if query:
            matches = PublicationPage.objects.live().search(query, operator="and")[:MAX_MATCHES]
            publications = publications.filter(pk__in=[page.pk for page in matches])
        return publications
