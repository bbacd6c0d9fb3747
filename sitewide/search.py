"""Site search: one query across pages, projects and publications.

Top layer (docs/ARCHITECTURE.md): it knows every page type. The view in
``sitewide/views.py`` only reads the request and renders; the querying, the kind filter,
search promotions and result details live here so they can be tested directly. The text
helpers (cleaning, the word cap, snippets, highlighting) are the base layer's
``pages/search.py``, shared with the listings. Ranking is the search backend's (Wagtail's
database backend: PostgreSQL full-text search with field weights, or SQLite FTS5); the
weights are the ``boost`` values on each page type's ``search_fields``.
"""

import logging
from dataclasses import dataclass, field
from hashlib import sha256

from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.safestring import SafeString
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits, SearchPromotion
from wagtail.models import Page
from wagtail.search.index import insert_or_update_object
from wagtail.search.models import IndexEntry
from wagtail.search.utils import normalise_query_string

from news.models import NewsStoryPage
from pages.search import best_part, excerpt, highlight, snippet
from partnerships.models import Country, HealthTheme, PartnerOrganisation, ProjectPage
from policy.models import PublicationPage, PublicationType, Topic
from thet_site.privacy import public

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 10
DAY = 86400


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str  # the filter's label, plural
    singular: str  # shown on each result


# Each kind and the page types it holds (None: every other page).
KINDS = {
    "projects": (Kind("projects", "Projects", "Project"), (ProjectPage,)),
    "publications": (Kind("publications", "Publications", "Publication"), (PublicationPage,)),
    "news": (Kind("news", "News", "News"), (NewsStoryPage,)),
    "pages": (Kind("pages", "Other pages", "Page"), None),
}
KIND_SLUGS = tuple(KINDS)


def kind_of(page_class) -> Kind:
    """The kind of a page type (a class, e.g. ``page.specific_class``)."""
    for slug in ("projects", "publications", "news"):
        kind, models = KINDS[slug]
        if page_class is not None and issubclass(page_class, models):
            return kind
    return KINDS["pages"][0]


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
    if slug == "pages":
        special = [models[0] for s, (kind, models) in KINDS.items() if models]
        return pages.not_type(*special)
    return pages.type(*KINDS[slug][1])


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
# And a script from one address could still fill them: each visitor's searches count once
# per term a day, for at most this many terms (thet_site.security.daily_visitor: no
# address is kept, only hashes, in the cache, for a day).
SEARCH_TERMS_PER_VISITOR = 5


def counts_for(visitor: str, term: str) -> bool:
    """Whether ``visitor``'s search for ``term`` counts: their first today, among their
    first ``SEARCH_TERMS_PER_VISITOR`` terms of the day."""
    cache = caches["default"]
    try:
        seen = "search-seen:" + sha256(f"{visitor}|{term}".encode()).hexdigest()
        if not cache.add(seen, 1, DAY):
            return False
        terms = f"search-terms:{visitor}"
        cache.add(terms, 0, DAY)
        return cache.incr(terms) <= SEARCH_TERMS_PER_VISITOR
    except Exception:  # a cache outage or an expired counter: not counted
        logger.warning("Could not check a search against the visitor's", exc_info=True)
        return False


def record_hit(query: str, found: bool | None = True, visitor: str | None = None) -> None:
    """Count the query for the 'popular search terms' report editors use to pick promotions.

    Only a search that found something is counted (``found``; None: it is not known, so
    only a term already counted today is counted again). One UPDATE when the query has
    been seen today (the usual case), else Wagtail's ``Query.get(query).add_hit()``, which
    creates the rows, if fewer than ``SEARCH_TERMS_PER_DAY`` terms are in today's report.
    The first new term of a day first prunes the report's old days (Wagtail's
    ``searchpromotions_garbage_collect``), so the tables stay bounded without a cron job.
    ``visitor`` (``daily_visitor``): counted only as ``counts_for`` allows.
    """
    if found is False:
        return
    if visitor is not None and not counts_for(visitor, normalise_query_string(query)):
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


@dataclass
class Result:
    page: Page
    kind: Kind
    snippet: SafeString
    details: list[str] = field(default_factory=list)
    # A publication found by the words of one section of its full text links to it.
    anchor: str = ""
    section: str = ""


def decorate(pages, query: str) -> list[Result]:
    """Turn a page of search hits (plain ``Page`` objects) into what the template shows.

    Five queries whatever the hits: projects (with their countries), publications (with
    their type) and news stories are loaded as themselves, for their details; every other
    page's
    snippet comes from its search index entry, one query for all of them, instead of one
    query per page type.
    """
    pages = list(pages)
    type_ids = {
        model: ContentType.objects.get_for_model(model).pk
        for model in (ProjectPage, PublicationPage, NewsStoryPage)
    }
    ids = {
        model: [p.pk for p in pages if p.content_type_id == type_id]
        for model, type_id in type_ids.items()
    }
    projects = ProjectPage.objects.prefetch_related("countries").in_bulk(ids[ProjectPage])
    publications = PublicationPage.objects.select_related("publication_type").in_bulk(
        ids[PublicationPage]
    )
    stories = NewsStoryPage.objects.in_bulk(ids[NewsStoryPage]) if ids[NewsStoryPage] else {}
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
        page = projects.get(hit.pk) or publications.get(hit.pk) or stories.get(hit.pk) or hit
        details = []
        anchor = section_name = ""
        if isinstance(page, PublicationPage):
            if page.publication_type:
                details.append(page.publication_type.name)
            details.append(page.publication_date.strftime("%B %Y"))
            text = snippet(page, query)
            section = section_found(page, query)
            if section is not None:
                anchor, section_name = section.anchor, section.heading
                text = excerpt(section.body_text(), query)
        elif isinstance(page, NewsStoryPage):
            date = page.publication_date
            details.append(f"{date.day} {date:%B %Y}")
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
                anchor=anchor,
                section=section_name,
            )
        )
    return results


def section_found(publication, query: str):
    """The section of a publication's full text that the query's words are in, when they
    are there rather than in its title and summary; else None.

    Worked out here, for the (at most ``RESULTS_PER_PAGE``) results shown, from the full
    text already loaded with each publication: no query and no index of its own. The
    search index holds the full text as one field of the page, so the page is found by
    any section's words; which section is decided only for the page of results shown.
    """
    sections = publication.report_sections
    if not sections:
        return None
    head = f"{publication.title} {publication.get_summary()}"
    best = best_part([section.text() for section in sections], query, than=head)
    return sections[best] if best is not None else None


def count_kinds(pages, query: str, operator: str) -> dict[str, int]:
    """How many results of each kind (a count query each)."""
    return {
        slug: pages_of_kind(pages, slug).search(query, operator=operator).count()
        for slug in KIND_SLUGS
    }


def run_search(query: str, kind: str, page_number, site) -> dict:
    """Everything the results page shows for ``query`` (already cleaned) and ``kind``."""
    pages = searchable_pages(site)  # one query for view restrictions, then lazy clones
    # Every word must match; if nothing has them all, fall back to any of the words
    # (a long or half-remembered query still finds something) and say so.
    operator = "and"
    counts = count_kinds(pages, query, operator)
    if not any(counts.values()) and len(query.split()) > 1:
        operator = "or"
        counts = count_kinds(pages, query, operator)
    promotions = promotions_for(query, pages)
    if kind in KINDS:
        base = pages_of_kind(pages, kind)
        promotions = [
            p
            for p in promotions
            if p.page is None or kind_of(p.page.specific_class) == KINDS[kind][0]
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
        "kind_label": KINDS[kind][0].label if kind else "",
        "kinds": [
            {"slug": slug, "label": KINDS[slug][0].label, "count": counts[slug]}
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
    Country: ("projects", "news_stories"),
    HealthTheme: ("projects", "news_stories"),
    PartnerOrganisation: ("uk_projects", "overseas_projects"),
    PublicationType: ("publications",),
    Topic: ("publications",),
}


def reindex_pages_filed_under(sender, instance, created=False, raw=False, **kwargs):
    if created or raw:
        return
    for relation in TAXONOMY_RELATIONS.get(sender, ()):
        for page in getattr(instance, relation).all():
            insert_or_update_object(page)


def connect_signals():
    """Called once, from ``SitewideConfig.ready()``."""
    for model in TAXONOMY_RELATIONS:
        post_save.connect(
            reindex_pages_filed_under,
            sender=model,
            dispatch_uid=f"search-reindex-{model._meta.label_lower}",
        )
