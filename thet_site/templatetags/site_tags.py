"""Site-wide template tags: navigation, breadcrumbs and small formatting helpers."""

from django import template
from wagtail.models import Page, Site

from thet_site.privacy import public

register = template.Library()


def _site_root(context):
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    return site.root_page if site else None


@register.inclusion_tag("components/main_menu.html", takes_context=True)
def main_menu(context):
    """The home page's live children that editors marked 'show in menus'."""
    root = _site_root(context)
    pages = public(root.get_children().live().in_menu()) if root else Page.objects.none()
    current = context.get("page")
    current_path = current.path if current else ""
    items = [
        {
            "page": item,
            "current": "page"
            if item.path == current_path
            else ("true" if current_path.startswith(item.path) else ""),
        }
        for item in pages
    ]
    return {"items": items}


@register.inclusion_tag("components/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """Ancestors of the current page from the site's home page down, then the page."""
    page = context.get("page")
    root = _site_root(context)
    if not page or not root or page.pk == root.pk:
        return {"ancestors": [], "page": None}
    from thet_site.routing import ancestors

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
