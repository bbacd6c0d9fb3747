from django.urls import path, reverse
from wagtail import hooks

from sitewide.search_terms import PopularSearchTermsView, SearchTermsMenuItem


@hooks.register("register_admin_urls")
def register_search_terms_urls():
    return [
        path("search-terms/", PopularSearchTermsView.as_view(), name="thet_search_terms"),
        path(
            "search-terms/results/",
            PopularSearchTermsView.as_view(results_only=True),
            name="thet_search_terms_results",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_search_terms_menu_item():
    return SearchTermsMenuItem(
        "Search terms",
        reverse("thet_search_terms"),
        name="search-terms",
        icon_name="search",
        order=320,
    )
