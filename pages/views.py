"""Site-wide views: search, health check and error pages."""

from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.template.response import TemplateResponse
from wagtail.models import Page

MAX_QUERY_LENGTH = 200


def clean_query(raw: str) -> str:
    """Make a visitor's query safe for every search backend.

    Keeps letters, digits and spaces (and inner hyphens/apostrophes) only, so quotes,
    markup and operators never reach the backend's query parser.
    """
    kept = "".join(ch if (ch.isalnum() or ch in " -'") else " " for ch in raw[:MAX_QUERY_LENGTH])
    words = [w.strip("-'") for w in kept.split()]
    return " ".join(w for w in words if w)


def search(request):
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().specific().search(query)
    page = Paginator(results, 10).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "pages/search.html",
        {"query": raw[:MAX_QUERY_LENGTH], "cleaned_query": query, "results": page},
    )


def health(request):
    """For load balancers and monitors: 200 when the database and cache answer.

    503 when the database does not (this server cannot serve uncached pages). A cache
    that does not answer is reported but still 200: the site works without it, only
    slower, and taking every server out of the balancer for it would be worse.
    """
    from django.core.cache import caches

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
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response
