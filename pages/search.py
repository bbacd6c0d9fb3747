"""Site search (#7): one query across pages, projects and publications.

The view in ``pages/views.py`` only reads the request and renders; the querying, the kind
filter, search promotions and result snippets live here so they can be tested directly.
Ranking is the search backend's (Wagtail's database backend: PostgreSQL full-text search
with field weights, or SQLite FTS5); the weights are the ``boost`` values on each page
type's ``search_fields``.
"""

import functools
import html
import logging
import re
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits, SearchPromotion
from wagtail.models import Page
from wagtail.search.utils import normalise_query_string

from thet_site.privacy import public

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 10
SNIPPET_WORDS = 40


def clean_query(raw: str) -> str:
    """Make a visitor's query safe for every search backend.

    Keeps letters, digits and spaces (and inner hyphens/apostrophes) only, so quotes,
    markup and operators never reach the backend's query parser.
    """
    kept = "".join(ch if (ch.isalnum() or ch in " -'") else " " for ch in raw[:MAX_QUERY_LENGTH])
    words = [w.strip("-'") for w in kept.split()]
    return " ".join(w for w in words if w)


# A query's cost grows with its words (each is matched against every project or page), so
# at most this many distinct words are used. Real searches of THET's projects and reports
# are one to four words (a country, a disease, a partner's name); every word must match, so
# words past the sixth rarely narrow the results, while each one adds a full pass of text
# matching. The rest are ignored, and the page says which.
MAX_QUERY_WORDS = 6


@dataclass(frozen=True)
class QueryWords:
    """A cleaned query split into the words used and those ignored (see ``query_words``)."""

    used: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def query(self) -> str:
        return " ".join(self.used)


def query_words(query: str, limit: int = MAX_QUERY_WORDS) -> QueryWords:
    """The words of ``query`` (already cleaned) that a search uses, whatever the input.

    Repeated words count once (ignoring case); a single letter is ignored (it is in nearly
    every title, and no index stores it), a single digit kept; at most ``limit`` words are
    used, the rest ignored. So a query costs at most ``limit`` words of matching.
    """
    used, ignored, seen = [], [], set()
    for word in query.split():
        key = word.casefold()
        if key in seen:
            continue
        seen.add(key)
        if (len(word) < 2 and not word.isdigit()) or len(used) >= limit:
            ignored.append(word)
        else:
            used.append(word)
    return QueryWords(tuple(used), tuple(ignored))


def ignored_words_notice(ignored, shown: int = 10) -> str:
    """What the page says when some words were left out of a search."""
    if not ignored:
        return ""
    listed = ", ".join(f"“{word}”" for word in ignored[:shown])
    more = len(ignored) - shown
    if more > 0:
        listed += f" and {more} more"
    return (
        f"Some of your words were left out of the search: {listed}. We search for up to "
        f"{MAX_QUERY_WORDS} different words, each of two or more letters (or a number)."
    )


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str  # the filter's label, plural
    singular: str  # shown on each result


@functools.cache
def _kinds():
    from partnerships.models import ProjectPage
    from policy.models import PublicationPage

    return {
        "projects": (Kind("projects", "Projects", "Project"), (ProjectPage,)),
        "publications": (
            Kind("publications", "Publications", "Publication"),
            (PublicationPage,),
        ),
        "pages": (Kind("pages", "Other pages", "Page"), None),
    }


KIND_SLUGS = ("projects", "publications", "pages")


def kind_of(page_class) -> Kind:
    """The kind of a page type (a class, e.g. ``page.specific_class``)."""
    kinds = _kinds()
    for slug in ("projects", "publications"):
        kind, models = kinds[slug]
        if page_class is not None and issubclass(page_class, models):
            return kind
    return kinds["pages"][0]


def searchable_pages(site):
    """Every live, public page of ``site`` (or of every site when there is none)."""
    pages = public(Page.objects.live())
    if site is not None:
        pages = pages.in_site(site)
    else:
        pages = pages.filter(depth__gt=1)
    return pages


def pages_of_kind(pages, slug: str):
    """``pages`` (from ``searchable_pages``) narrowed to one kind."""
    kinds = _kinds()
    if slug == "pages":
        special = [models[0] for s, (kind, models) in kinds.items() if models]
        return pages.not_type(*special)
    return pages.type(*kinds[slug][1])


def promotions_for(query: str, pages) -> list[SearchPromotion]:
    """Editors' picks for this query (Wagtail search promotions), live pages only."""
    normalised = normalise_query_string(query)
    if not normalised:
        return []
    promotions = (
        SearchPromotion.objects.filter(query__query_string=normalised)
        .select_related("page")
        .order_by("sort_order", "pk")
    )
    promotions = list(promotions)
    page_ids = [p.page_id for p in promotions if p.page_id]
    visible = set(pages.filter(pk__in=page_ids).values_list("pk", flat=True)) if page_ids else set()
    return [p for p in promotions if p.page_id is None or p.page_id in visible]


# New terms the "popular search terms" report takes in a day: past this, only terms already
# counted today are counted again. Anyone can search, so without a cap a script could add
# rows without end; with it and the pruning below, the tables stay bounded (at most this
# many terms a day for WAGTAILSEARCH_HITS_MAX_AGE days, plus the terms that have promotions).
SEARCH_TERMS_PER_DAY = 200


def record_hit(query: str, found: bool | None = True) -> None:
    """Count the query for the 'popular search terms' report editors use to pick promotions.

    Only a search that found something is counted (``found``; None: it is not known, so
    only a term already counted today is counted again). One UPDATE when the query has
    been seen today (the usual case), else Wagtail's ``Query.get(query).add_hit()``, which
    creates the rows, if fewer than ``SEARCH_TERMS_PER_DAY`` terms are in today's report.
    The first new term of a day first prunes the report's old days (Wagtail's
    ``searchpromotions_garbage_collect``), so the tables stay bounded without a cron job.
    """
    if found is False:
        return
    try:
        today = timezone.now().date()
        counted = QueryDailyHits.objects.filter(
            query__query_string=normalise_query_string(query), date=today
        ).update(hits=F("hits") + 1)
        if counted or not found:
            return
        terms_today = QueryDailyHits.objects.filter(date=today).count()
        if terms_today >= SEARCH_TERMS_PER_DAY:
            return
        with transaction.atomic():
            if not terms_today:
                QueryDailyHits.garbage_collect()
                Query.garbage_collect()
            Query.get(query).add_hit()
    except DatabaseError:  # a hit is nice to have; never fail a search for it
        logger.warning("Could not record a search hit", exc_info=True)


def _terms(query: str) -> list[str]:
    return [t for t in query.split() if len(t) > 1 or t.isdigit()]


def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, with the query's words wrapped in <mark>."""
    terms = _terms(query)
    if not terms or not text:
        return escape(text)
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")",
        re.IGNORECASE,
    )
    parts = pattern.split(text)
    out = []
    for i, part in enumerate(parts):
        out.append(f"<mark>{escape(part)}</mark>" if i % 2 else str(escape(part)))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def _plain(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def body_text(page) -> str:
    body = getattr(page, "body", None)
    if not body:
        return ""
    try:
        pieces = body.stream_block.get_searchable_content(body)
    except Exception:  # noqa: BLE001 - a snippet must never break the results page
        logger.warning("Could not read the body of page %s for a snippet", page.pk)
        return ""
    return _plain(" ".join(str(p) for p in pieces))


def excerpt(text: str, query: str) -> str:
    """About ``SNIPPET_WORDS`` words of ``text`` from just before the first matching word."""
    text = _plain(text)
    lowered = text.lower()
    hits = [lowered.find(t.lower()) for t in _terms(query) if lowered.find(t.lower()) >= 0]
    if not hits:
        return Truncator(text).words(SNIPPET_WORDS)
    start = max(0, min(hits) - 80)
    start = lowered.rfind(" ", 0, start) + 1 if start else 0
    return ("…" if start else "") + Truncator(text[start:]).words(SNIPPET_WORDS)


def snippet(page, query: str) -> str:
    """A short plain-text excerpt: the summary, or the body around the first matching word."""
    summary = _plain(page.get_summary() if hasattr(page, "get_summary") else "")
    terms = [t.lower() for t in _terms(query)]
    if summary and (not terms or any(t in summary.lower() for t in terms)):
        return Truncator(summary).words(SNIPPET_WORDS)
    text = body_text(page)
    if any(t in text.lower() for t in terms):
        return excerpt(text, query)
    return Truncator(summary or text).words(SNIPPET_WORDS)


@dataclass
class Result:
    page: Page
    kind: Kind
    snippet: SafeString
    details: list[str] = field(default_factory=list)


def decorate(pages, query: str) -> list[Result]:
    """Turn a page of search hits (plain ``Page`` objects) into what the template shows.

    Four queries whatever the hits: projects (with their countries) and publications
    (with their type) are loaded as themselves, for their details; every other page's
    snippet comes from its search index entry, one query for all of them, instead of one
    query per page type.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.models import IndexEntry

    from partnerships.models import ProjectPage
    from policy.models import PublicationPage

    pages = list(pages)
    type_ids = {
        model: ContentType.objects.get_for_model(model).pk
        for model in (ProjectPage, PublicationPage)
    }
    ids = {
        model: [p.pk for p in pages if p.content_type_id == type_id]
        for model, type_id in type_ids.items()
    }
    projects = ProjectPage.objects.prefetch_related("countries").in_bulk(ids[ProjectPage])
    publications = PublicationPage.objects.select_related("publication_type").in_bulk(
        ids[PublicationPage]
    )
    others = [p for p in pages if p.content_type_id not in type_ids.values()]
    indexed = {}
    if others:
        entries = IndexEntry.objects.filter(
            content_type__in={p.content_type_id for p in others},
            object_id__in=[str(p.pk) for p in others],
        )
        # The indexed text: ``body`` on SQLite and MySQL, ``body_text`` on PostgreSQL
        # (where ``body`` is the tsvector).
        names = {field.name for field in IndexEntry._meta.get_fields()}
        text = "body_text" if "body_text" in names else "body"
        indexed = dict(entries.values_list("object_id", text))
    results = []
    for hit in pages:
        page = projects.get(hit.pk) or publications.get(hit.pk) or hit
        details = []
        if isinstance(page, PublicationPage):
            if page.publication_type:
                details.append(page.publication_type.name)
            details.append(page.publication_date.strftime("%B %Y"))
            text = snippet(page, query)
        elif isinstance(page, ProjectPage):
            details.extend(c.name for c in page.countries.all())
            if page.years:
                details.append(page.years)
            text = snippet(page, query)
        else:
            text = excerpt(indexed.get(str(page.pk), ""), query)
        results.append(
            Result(
                page=page,
                kind=kind_of(page.specific_class),
                snippet=highlight(text, query),
                details=details,
            )
        )
    return results


def count_kinds(pages, query: str, operator: str) -> dict[str, int]:
    """How many results of each kind (a count query each)."""
    return {
        slug: pages_of_kind(pages, slug).search(query, operator=operator).count()
        for slug in KIND_SLUGS
    }


def run_search(query: str, kind: str, page_number, site) -> dict:
    """Everything the results page shows for ``query`` (already cleaned) and ``kind``."""
    kinds = _kinds()
    pages = searchable_pages(site)  # one query for view restrictions, then lazy clones
    # Every word must match; if nothing has them all, fall back to any of the words
    # (a long or half-remembered query still finds something) and say so.
    operator = "and"
    counts = count_kinds(pages, query, operator)
    if not any(counts.values()) and len(query.split()) > 1:
        operator = "or"
        counts = count_kinds(pages, query, operator)
    promotions = promotions_for(query, pages)
    if kind in kinds:
        base = pages_of_kind(pages, kind)
        promotions = [
            p
            for p in promotions
            if p.page is None or kind_of(p.page.specific_class) == kinds[kind][0]
        ]
    else:
        kind = ""
        base = pages
    promoted_ids = [p.page_id for p in promotions if p.page_id]
    if promoted_ids:
        base = base.exclude(id__in=promoted_ids)
    results = base.search(query, operator=operator)
    paginator = Paginator(results, RESULTS_PER_PAGE)
    if not promoted_ids:  # then the counts by kind already give the total: no count query
        paginator.count = counts[kind] if kind else sum(counts.values())
    page_obj = paginator.get_page(page_number)
    return {
        "kind": kind,
        "kind_label": kinds[kind][0].label if kind else "",
        "kinds": [
            {"slug": slug, "label": kinds[slug][0].label, "count": counts[slug]}
            for slug in KIND_SLUGS
        ],
        "total": sum(counts.values()),
        "any_word": operator == "or",
        "promotions": promotions if page_obj.number == 1 else [],
        "results": page_obj,
        "result_items": decorate(page_obj.object_list, query),
    }


# Taxonomy names are indexed on the pages that use them (``RelatedFields``). Wagtail only
# re-indexes the object that was saved, so renaming a partner, country, theme, type or
# topic re-indexes the pages filed under it here; otherwise they would only be found by
# the old name until the next ``update_index``.
TAXONOMY_RELATIONS = {
    ("partnerships", "Country"): ("projects",),
    ("partnerships", "HealthTheme"): ("projects",),
    ("partnerships", "PartnerOrganisation"): ("uk_projects", "overseas_projects"),
    ("policy", "PublicationType"): ("publications",),
    ("policy", "Topic"): ("publications",),
}


def reindex_pages_filed_under(sender, instance, created=False, raw=False, **kwargs):
    if created or raw:
        return
    from wagtail.search.index import insert_or_update_object

    relations = TAXONOMY_RELATIONS.get((sender._meta.app_label, sender.__name__), ())
    for relation in relations:
        for page in getattr(instance, relation).all():
            insert_or_update_object(page)


def connect_signals():
    from django.apps import apps
    from django.db.models.signals import post_save

    for app_label, model_name in TAXONOMY_RELATIONS:
        post_save.connect(
            reindex_pages_filed_under,
            sender=apps.get_model(app_label, model_name),
            dispatch_uid=f"search-reindex-{app_label}-{model_name}",
        )
