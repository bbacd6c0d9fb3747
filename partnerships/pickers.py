"""The admin's type-to-pick fields for a project's countries, themes and partners.

wagtail-autocomplete draws the fields and answers them; its admin endpoints would search
and create *any* model for anyone with admin access. Here they answer only for the
taxonomy that projects are filed under, return a bounded number of suggestions, and
create only what the editor may add (the package checks the model's ``add`` permission).
"""

from django.http import HttpResponseBadRequest
from django.urls import path
from wagtail.admin.auth import require_admin_access
from wagtailautocomplete import views

PICKABLE = {
    "partnerships.Country",
    "partnerships.HealthTheme",
    "partnerships.UKPartner",
    "partnerships.OverseasPartner",
}
MAX_SUGGESTIONS = 20
MAX_QUERY = 160  # the longest name a taxonomy item can have


def _only_pickable(view, method):
    def guarded(request, *args, **kwargs):
        data = request.POST if method == "POST" else request.GET
        if data.get("type") not in PICKABLE or len(data.get("query", "")) > MAX_QUERY:
            return HttpResponseBadRequest("Not something this field can pick.")
        if method == "POST" and request.method == "POST":
            request.POST = request.POST.copy()
            request.POST["limit"] = str(MAX_SUGGESTIONS)
        return view(request, *args, **kwargs)

    return require_admin_access(guarded)


def urlpatterns():
    """For ``register_admin_urls``: the package's JavaScript calls ``autocomplete/…``."""
    return [
        path("autocomplete/create/", _only_pickable(views.create, "POST")),
        path("autocomplete/objects/", _only_pickable(views.objects, "GET"), {"public": False}),
        path("autocomplete/search/", _only_pickable(views.search, "POST"), {"public": False}),
    ]
