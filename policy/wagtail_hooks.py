from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from policy.models import PublicationType, Topic


class PublicationTypeViewSet(SnippetViewSet):
    model = PublicationType
    icon = "doc-full"
    list_display = ["name", "plural", "slug"]
    search_fields = ["name"]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class PublicationTaxonomyGroup(SnippetViewSetGroup):
    menu_label = "Publications"
    menu_icon = "doc-full"
    menu_order = 310
    items = (PublicationTypeViewSet, TopicViewSet)


register_snippet(PublicationTaxonomyGroup)
