"""Site-wide views (top layer): site search and the health check."""

from functools import cache
from urllib.parse import urlencode

from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.template.response import TemplateResponse
from wagtail.models import Site

from pages.search import MAX_QUERY_LENGTH, clean_query, ignored_words_notice, query_words
from partnerships.models import ProjectIndexPage
from policy.models import PublicationIndexPage
from sitewide.search import KIND_SLUGS, record_hit, run_search
from thet_site.cache import circuit_state
from thet_site.fragments import vary_on_params
from thet_site.pagecache import read_query
from thet_site.privacy import public
from thet_site.security import daily_visitor

__all__ = ["health", "search"]


def search(request):
    """``/search/?q=&kind=&page=``: see ``sitewide/search.py``."""
    # What the page cache keys these results on, and all this view sees of the query.
    read_query(request, {"q": "text", "kind": KIND_SLUGS, "page": "number"})
    raw = request.GET.get("q", "")
    # At most MAX_QUERY_WORDS distinct words are searched for; the page names the rest.
    words = query_words(clean_query(raw))
    query = words.query
    kind = request.GET.get("kind", "")
    context = {
        "query": raw[:MAX_QUERY_LENGTH],
        "cleaned_query": query,
        "meta_title": "Search",
        "meta_description": "Search THET's partnership projects, publications and pages.",
        "kind": kind if kind in KIND_SLUGS else "",
        "ignored_notice": ignored_words_notice(words.ignored),
        # Looked up only if the template shows the "browse instead" links.
        "project_index": cache(lambda: public(ProjectIndexPage.objects.live()).first()),
        "publication_index": cache(lambda: public(PublicationIndexPage.objects.live()).first()),
    }
    context["fragment_vary"] = vary_on_params(request, ("q", "kind", "page"))
    context["canonical_path"] = search_canonical_path(query, context["kind"], request)
    # Run only if the template renders the results (see thet_site/fragments.py).
    context["search"] = cache(lambda: {})
    response = TemplateResponse(request, "pages/search.html", context)
    if query:
        site = Site.find_for_request(request)
        results = cache(lambda: run_search(query, kind, request.GET.get("page"), site))
        context["search"] = results
        params = {"q": query}
        if context["kind"]:
            params["kind"] = context["kind"]
        context["querystring"] = urlencode(params)
        context["all_querystring"] = urlencode({"q": query})
        if request.GET.get("page", "1") in ("", "1"):
            visitor = daily_visitor(request)
            response.add_post_render_callback(
                lambda response: record_hit(query, found(results), visitor)
            )
    return response


def found(results) -> bool | None:
    """Whether the search found something (results or an editor's pick); None when it did
    not run because its rendering was kept (it found something if it was recorded before)."""
    if not results.cache_info().currsize:
        return None
    ran = results()
    return bool(ran["total"] or ran["promotions"])


def search_canonical_path(query: str, kind: str, request) -> str:
    """The address of these results in one spelling, for the canonical link and og:url.

    It keeps what decides the results (the query as searched, a known kind, a page past
    the first) so a shared link shows the same results, and drops everything else
    (tracking parameters, empty or unknown values, ``page=1``). The page is ``noindex``,
    so this is about sharing, not about search engines indexing result pages.
    """
    params = {}
    if query:
        params["q"] = query
        if kind:
            params["kind"] = kind
        page = request.GET.get("page", "")
        if page.isdigit() and int(page) > 1:
            params["page"] = str(int(page))
    return "/search/" + (f"?{urlencode(params)}" if params else "")


def health(request):
    """For load balancers and monitors: 200 when the database and cache answer.

    503 when the database does not (this server cannot serve uncached pages). A cache
    that does not answer is reported but still 200: the site works without it, only
    slower, and taking every server out of the balancer for it would be worse.
    """
    body = {"status": "ok", "database": "ok", "cache": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        body.update(status="error", database="unavailable")
        status = 503
    try:
        cache = caches["default"]
        cache.set("health:probe", "1", 10)
        if cache.get("health:probe") != "1":
            raise RuntimeError("cache did not return what was stored")
    except Exception:  # any backend's connection error
        body["cache"] = "unavailable"
        if status == 200:
            body["status"] = "degraded"
    # with Redis, its circuit breaker (thet_site/cache.py): "open" while this
    # process skips the cache, so its pages come from the database (still a 200).
    state = circuit_state()
    if state is not None:
        body["cache_circuit"] = state
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response
