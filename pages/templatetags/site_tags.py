"""Site-wide template tags: navigation, breadcrumbs and small formatting helpers."""

from django import template
from wagtail.models import Page, Site

from pages.models import MainMenu
from thet_site.privacy import public
from thet_site.routing import ancestors

register = template.Library()


def _site_root(context):
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    return site.root_page if site else None


@register.inclusion_tag("components/main_menu.html", takes_context=True)
def main_menu(context):
    """The editors' main menu (the "Main menu" setting), or, while that is empty, the home
    page's live children marked 'show in menus', under their titles."""
    request = context.get("request")
    current = context.get("page")
    current_path = current.path if current else ""

    def entry(href, label, page=None):
        state = ""
        if page is not None and current_path:
            if page.path == current_path:
                state = "page"
            elif current_path.startswith(page.path):
                state = "true"
        return {"href": href, "label": label, "current": state}

    links = MainMenu.links_for(request) if request else []
    if links:
        chosen = [link["page"].pk for link in links if link.get("page")]
        shown = set(public(Page.objects.live().filter(pk__in=chosen)).values_list("pk", flat=True))
        items = []
        for link in links:
            page = link.get("page")
            if page is not None and page.pk in shown:
                items.append(entry(page.get_url(request), link["label"] or page.title, page))
            elif page is None and link.get("url"):
                items.append(entry(link["url"], link["label"]))
        return {"items": items}
    root = _site_root(context)
    pages = public(root.get_children().live().in_menu()) if root else Page.objects.none()
    return {"items": [entry(page.get_url(request), page.title, page) for page in pages]}


@register.inclusion_tag("components/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """Ancestors of the current page from the site's home page down, then the page."""
    page = context.get("page")
    root = _site_root(context)
    if not page or not root or page.pk == root.pk:
        return {"ancestors": [], "page": None}
    return {"ancestors": ancestors(context.get("request"), page, root.depth), "page": page}


@register.filter
def pluralise(count, forms="s"):
    """``{{ n|pluralise:"project,projects" }}`` → "1 project" / "3 projects"."""
    singular, _, plural = forms.partition(",")
    if not plural:
        singular, plural = "", forms
    return f"{count} {singular if count == 1 else plural}".strip()


SOCIAL_LABELS = {
    "x": "X (Twitter)",
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "bluesky": "Bluesky",
}


@register.filter
def platform_label(code):
    return SOCIAL_LABELS.get(code, str(code).title())
