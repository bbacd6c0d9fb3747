from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from partnerships.models import Country, HealthTheme, PartnerOrganisation


class CountryViewSet(SnippetViewSet):
    model = Country
    icon = "globe"
    list_display = ["name", "iso_code"]
    search_fields = ["name"]


class HealthThemeViewSet(SnippetViewSet):
    model = HealthTheme
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class PartnerOrganisationViewSet(SnippetViewSet):
    model = PartnerOrganisation
    icon = "group"
    list_display = ["name", "location", "country"]
    list_filter = ["location", "country"]
    search_fields = ["name"]


class PartnershipsTaxonomyGroup(SnippetViewSetGroup):
    menu_label = "Partnerships"
    menu_icon = "globe"
    menu_order = 300
    items = (CountryViewSet, HealthThemeViewSet, PartnerOrganisationViewSet)


register_snippet(PartnershipsTaxonomyGroup)
