"""The one listing pattern both listings follow: a GET filter form and a lazy listing.

A listing page (``/our-work/projects/``, ``/publications/``) reads a few query-string
parameters, filters its pages with them and shows one page of results. Each app writes:

* a ``FilterForm`` subclass in ``<app>/forms.py``: its fields and ``apply(qs)``. It gets
  the pages and the options it offers as arguments and imports no page model;
* a ``Listing`` subclass in ``<app>/listings.py``: the form, the filtered page of
  results and whatever else the page shows (facet counts, a map), each a
  ``cached_property`` worked out only when the template asks for it. So when the page's
  rendered listing is already kept (``{% cache %}``), none of its queries run.
  It declares its open data too: the JSON fields of a row (``data_items``) and the CSV
  columns (``data_columns``), written by ``thet_site/opendata.py``;
* the index page mixes in ``FilterableListingPage`` and names its ``listing_class``: the
  context, the page cache's parameters and the ``data.<fmt>`` route come from there.

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
one filter chosen gives ``?q=&country=tanzania&theme=&partner=&programme=``. Such an
address is redirected to the same one without its empty parameters (``?country=tanzania``),
the others kept in their order, by ``thet_site.middleware.DropEmptyParametersMiddleware``
before the page cache sees it; the form's target
ends in ``#results``, which the browser keeps through the redirect, so the page opens at
the result count.

Search engine: the publication listing searches with Wagtail's backend, as site search
does; the project listing matches its (equally bounded) words in SQL, inside the one
statement that counts its facets: ``partnerships/listings.py`` says why.
"""

from functools import partial
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.core.validators import validate_slug
from django.http import Http404
from django.utils.functional import cached_property
from wagtail.contrib.routable_page.models import RoutablePageMixin, re_path

from pages.models import SiteFooter
from pages.search import MAX_QUERY_LENGTH, clean_query, ignored_words_notice, query_words
from thet_site import opendata
from thet_site.fragments import vary_on_params

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

    Subclasses give ``form_class``, ``form`` (a ``cached_property`` building it) and
    ``per_page``; everything is worked out on first use only (see the module docstring).
    """

    per_page = 20
    form_class: type[FilterForm]  # the listing's filter form: what parameters it reads

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

    # --- open data (thet_site/opendata.py) ----------------------------------------------
    data_kind: str  # in the download's name: thet-<kind>-<filters>.csv
    data_title: str  # the JSON's "title"
    data_columns: list  # the CSV's (header, cell(item)) pairs, in order

    def data_items(self, objects) -> list[dict]:
        """``objects`` (the filtered rows, bounded) as JSON items."""
        raise NotImplementedError

    def other_data(self, fmt: str) -> dict:
        """A listing's own format (``build()`` of ``opendata.respond``), if it has one."""
        raise NotImplementedError

    def open_data(self) -> dict:
        """Every item the filters give (at most ``opendata.MAX_ROWS``), as JSON items and
        CSV rows, with the filters and the listing's address they mirror."""
        objects, total = opendata.bounded(self.filtered)
        items = self.data_items(objects)
        return opendata.dataset(
            self.request,
            self.index,
            self.querystring,
            attribution=SiteFooter.for_request(self.request).organisation_name,
            items=items,
            total=total,
            **opendata.table(self.data_columns, items),
        )

    def respond_with_data(self, fmt: str):
        """The open data response in ``fmt``; it varies on the filters, not the page."""
        build = self.open_data if fmt in opendata.FORMATS else partial(self.other_data, fmt)
        return opendata.respond(
            self.request,
            fmt=fmt,
            kind=self.data_kind,
            title=self.data_title,
            params=self.form_class.data_params(),
            build=build,
        )


class FilterableListingPage(RoutablePageMixin):
    """A listing page mixin (before ``BasePage``): what the project and publication
    listings share, as CFPB's filterable-list mixin does.

    * ``get_context`` gives the template ``listing`` (``listing_class(self, request)``,
      lazy) and ``fragment_vary`` (its kept rendering varies on the form's parameters);
    * the page cache keys the page on the form's parameters and page number, and its open
      data on the filters, the search words normalised (``get_query_params``);
    * the ``data`` route serves the open data, ``data.<fmt>`` for each of
      ``data_formats``, through the listing's ``respond_with_data(fmt)``
      (``thet_site/opendata.py``). Empty address parameters never reach it: they are
      redirected away by ``thet_site.middleware.DropEmptyParametersMiddleware``.
    """

    listing_class: type[Listing]
    data_formats: tuple[str, ...] = ("csv", "json")

    @re_path(r"^data\.(?P<fmt>[a-z]+)/$", name="data")
    def data(self, request, fmt):
        """The listing's open data (``data.csv``, ``data.json``…) under the page, with the
        listing's filters (thet_site/urls.py routes the file names here)."""
        if fmt not in self.data_formats:
            raise Http404("No such data format")
        return self.listing_class(self, request).respond_with_data(fmt)

    data.open_data = True

    def get_query_params(self, view=None, args=None, kwargs=None) -> dict:
        form = self.listing_class.form_class
        if getattr(view, "open_data", False):
            return form.data_query_params()
        return form.query_params()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: nothing is queried until the template asks (see the module docstring).
        context["listing"] = self.listing_class(self, request)
        context["fragment_vary"] = vary_on_params(request, self.listing_class.form_class.params())
        return context
