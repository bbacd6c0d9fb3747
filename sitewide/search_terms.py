"""The popular search terms report: what visitors searched for, how often and when last,
each with a link to pin a result for it (Wagtail's "Promoted search results").

Wagtail has a "Search terms" report of its own, but only for superusers and without the
date or the link; this one is for whoever may pin results (the Comms editors), one click
from the sidebar. Searches are counted by ``sitewide.search`` (only those that found
something, a bounded number of new terms a day).
"""

from django.db.models import CharField, Max, Sum, Value
from django.urls import reverse
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, NumberColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.contrib.search_promotions.models import Query

PERMISSION = "wagtailsearchpromotions.add_searchpromotion"


def may_pin(user) -> bool:
    return user.has_perm(PERMISSION)


class PopularSearchTermsView(ReportView):
    page_title = "Popular search terms"
    header_icon = "search"
    index_url_name = "thet_search_terms"
    index_results_url_name = "thet_search_terms_results"
    is_searchable = True
    search_fields = ["query_string"]
    default_ordering = "-searches"
    paginate_by = 50
    columns = [
        Column("query_string", label="Search term", sort_key="query_string"),
        NumberColumn("searches", label="Searches", sort_key="searches"),
        # A day, not a moment: shown as the date itself ("6 Dec 2026"), not "19 hours ago".
        Column("last_searched", label="Last searched", sort_key="last_searched"),
        TitleColumn(
            "pin",
            label="Pin a result",
            get_url=lambda query: reverse("wagtailsearchpromotions:edit", args=(query.pk,)),
        ),
    ]
    list_export = ["query_string", "searches", "last_searched"]
    export_headings = {
        "query_string": "Search term",
        "searches": "Searches",
        "last_searched": "Last searched",
    }

    def dispatch(self, request, *args, **kwargs):
        if not may_pin(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return (
            Query.objects.annotate(
                searches=Sum("daily_hits__hits"),
                last_searched=Max("daily_hits__date"),
                pin=Value("Pin a result", output_field=CharField()),
            )
            .filter(searches__gt=0)
            .order_by("-searches", "query_string")
        )


class SearchTermsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_pin(request.user)
