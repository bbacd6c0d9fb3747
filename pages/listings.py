"""The one listing pattern both listings follow (#14): a GET filter form and a lazy listing.

A listing page (``/our-work/projects/``, ``/publications/``) reads a few query-string
parameters, filters its pages with them and shows one page of results. Each app writes:

* a ``FilterForm`` subclass in ``<app>/forms.py``: its fields and ``apply(qs)``. It gets
  the pages and the options it offers as arguments and imports no page model;
* a ``Listing`` subclass in ``<app>/listings.py``: the form, the filtered page of
  results and whatever else the page shows (facet counts, a map), each a
  ``cached_property`` worked out only when the template asks for it. So when the page's
  rendered listing is already kept (``{% cache %}``), none of its queries run.

The template component ``templates/components/listing_*.html`` shows the form, its
notices, the result count, the results and the pagination of either.

Bad input, one behaviour for every listing (DESIGN.md: never a 500):

* a malformed value (not a slug, not a year, too long, odd bytes) is ignored: the other
  filters still apply and ``notices`` names it ("Some filters in this address could not
  be used");
* a well-formed value that names nothing (``?topic=no-such-topic``) is kept: nothing
  matches it, so the list is empty, and ``unmatched`` says what we have no such thing of;
* a repeated parameter counts once (the last, as ``QueryDict.get``);
* a page number that is not a number gives the first page, one out of range the last;
* the search words are cleaned and capped (``pages.search.query_words``), and the words
  left out are named (``ignored_notice``).

Shared addresses stay short: a listing's form sends every field, so "Show projects" with
one filter chosen gives ``?q=&country=tanzania&theme=&partner=&programme=``. A listing
(``DropsEmptyParameters``) redirects such an address to the same one without its empty
parameters (``?country=tanzania``), the others kept in their order; the form's target
ends in ``#results``, which the browser keeps through the redirect, so the page opens at
the result count.

Search engine: the publication listing searches with Wagtail's backend, as site search
does; the project listing matches its (equally bounded) words in SQL, inside the one
statement that counts its facets: ``partnerships/listings.py`` says why.
"""

from urllib.parse import parse_qsl, urlencode

from django import forms
from django.core.paginator import Paginator
from django.core.validators import validate_slug
from django.http import HttpResponsePermanentRedirect
from django.utils.functional import cached_property

from pages.search import MAX_QUERY_LENGTH, clean_query, ignored_words_notice, query_words

MAX_SLUG_LENGTH = 255  # the longest slug a snippet or page can have
PAGE_PARAM = "page"


class SlugFilterField(forms.ChoiceField):
    """A select of slugs. Any well-formed slug is accepted, so one that names nothing gives
    an empty list with a message rather than an error; anything else is an error, which
    the form reports and ignores (pass ``error_messages={"invalid_choice": ...}`` to word
    it; ``%(value)s`` is the value, cut to 60 characters)."""

    default_error_messages = {
        "invalid_choice": "“%(value)s” is not a valid value for this filter, so we ignored it."
    }

    def validate(self, value):
        forms.Field.validate(self, value)
        if not value:
            return
        try:
            if len(value) > MAX_SLUG_LENGTH:
                raise forms.ValidationError("too long")
            validate_slug(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value[:60]},
            ) from None


class FilterForm(forms.Form):
    """A listing's GET filter form: always bound, never invalid as a whole.

    Subclasses declare their fields (a ``q`` search field and filters) and write
    ``apply(qs)``, and may name, in ``unmatched_messages``, what to say when a filter's
    well-formed value names nothing (``names_nothing`` decides).
    """

    # field name -> message for a well-formed value that names nothing ("{value}")
    unmatched_messages: dict[str, str] = {}

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.is_valid()
        words = query_words(clean_query(self.cleaned_data.get("q") or ""))
        # The words searched for; ``ignored_words`` are those left out (the page says so).
        self.query = words.query
        self.ignored_words = list(words.ignored)

    @classmethod
    def params(cls) -> tuple[str, ...]:
        """Every query-string parameter the listing reads: what its kept rendering and
        its cached page vary on."""
        return (*cls.base_fields, PAGE_PARAM)

    @classmethod
    def data_params(cls) -> tuple[str, ...]:
        """The parameters its open data (``data.csv``) varies on: all but the page."""
        return tuple(cls.base_fields)

    # How the page cache normalises a filter's value (thet_site/pagecache.py), where it is
    # not the value as typed ("text").
    param_kinds: dict[str, str] = {}

    @classmethod
    def query_params(cls) -> dict:
        """What the listing page reads, for the page cache: every filter and the page."""
        kinds = {name: cls.param_kinds.get(name, "text") for name in cls.base_fields}
        return {**kinds, PAGE_PARAM: "number"}

    @classmethod
    def data_query_params(cls) -> dict:
        """What its open data reads: the filters, with the search words in any case, order
        and repetition counting as one (``words``); no page."""
        kinds = {name: cls.param_kinds.get(name, "text") for name in cls.base_fields}
        return {**kinds, "q": "words"}

    def clean_q(self):
        return (self.cleaned_data.get("q") or "")[:MAX_QUERY_LENGTH]

    @cached_property
    def filters(self) -> dict:
        """The valid, non-empty filter values (the search words apart), by field name."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "q" and value not in (None, "")
        }

    @property
    def is_filtered(self) -> bool:
        return bool(self.query or self.filters)

    def querystring(self, **changes) -> str:
        """The current valid filters as a query string (for links: pages, map, data),
        with ``changes`` applied (an empty value drops a parameter)."""
        params = {name: "" for name in self.fields}
        params.update({"q": self.query, **self.filters, **changes})
        return urlencode([(name, value) for name, value in params.items() if value])

    @property
    def notices(self) -> list[str]:
        """What in the address was malformed, and so ignored, one line per value."""
        return [
            f"{self.fields[name].label}: {error}"
            for name in self.fields
            for error in self.errors.get(name, ())
        ]

    @property
    def unmatched(self) -> list[str]:
        """What the visitor asked for that names nothing we have (so nothing matches)."""
        return [
            message.format(value=self.filters[name])
            for name, message in self.unmatched_messages.items()
            if name in self.filters and self.names_nothing(name, self.filters[name])
        ]

    def names_nothing(self, name: str, value) -> bool:
        return False

    @property
    def ignored_notice(self) -> str:
        return ignored_words_notice(self.ignored_words)

    def apply(self, queryset):
        """``queryset`` narrowed by every valid filter and the search words."""
        raise NotImplementedError


class Listing:
    """A listing page's view-model: the form, the filtered items and one page of them.

    Subclasses give ``form`` (a ``cached_property``) and ``per_page``; everything is worked
    out on first use only (see the module docstring).
    """

    per_page = 20

    def __init__(self, index, request):
        self.index = index
        self.request = request

    @cached_property
    def form(self) -> FilterForm:
        raise NotImplementedError

    @cached_property
    def filtered(self):
        """Every item the filters give, in the listing's order (a queryset)."""
        return self.form.apply(self.items)

    @cached_property
    def items(self):
        """Every item of the listing, unfiltered (a queryset)."""
        raise NotImplementedError

    @cached_property
    def page(self):
        """The requested page of ``filtered``: the first when the number is not one, the
        last when it is past the end."""
        paginator = Paginator(self.filtered, self.per_page)
        return paginator.get_page(self.request.GET.get(PAGE_PARAM))

    @cached_property
    def querystring(self) -> str:
        return self.form.querystring()


def without_empty_parameters(request) -> str | None:
    """The request's path and query string without its empty parameters (a name with no
    value, or only spaces), the others kept as they were, in their order; None when it
    has none to drop."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return None
    pairs = parse_qsl(raw, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if name.strip() and value.strip()]
    if len(kept) == len(pairs) and "&&" not in raw and not raw.endswith("&"):
        return None
    # The path is this page's own (a leading "//" would make the target another host).
    path = "/" + request.path.lstrip("/")
    return path + (f"?{urlencode(kept)}" if kept else "")


class DropsEmptyParameters:
    """A listing page mixin: GET and HEAD requests whose address has empty parameters are
    redirected (301) to the address without them (see the module docstring)."""

    def serve(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            target = without_empty_parameters(request)
            if target is not None:
                return HttpResponsePermanentRedirect(target)
        return super().serve(request, *args, **kwargs)  # type: ignore[misc]  # mixed into a Page
