"""Site-wide template tags: navigation, breadcrumbs and small formatting helpers."""

import re

from django import template
from django.db.models import Q
from wagtail.models import Page, Site

from pages.models import MainMenu, SiteFooter
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
        # The footer's pages are read in the same query (the footer tag then needs none).
        footer_ids = footer_page_ids(SiteFooter.for_request(request))
        shown = set(live_public_pages(request, chosen + footer_ids)) & set(chosen)
        items = []
        for link in links:
            page = link.get("page")
            if page is not None and page.pk in shown:
                items.append(entry(page.get_url(request), link["label"] or page.title, page))
            elif page is None and link.get("url"):
                items.append(entry(link["url"], link["label"]))
        return {"items": items, "donate_url": _donate_url(request)}
    root = _site_root(context)
    pages = []
    if root is not None:
        # The home page's children in menus and the footer's pages, in one query.
        footer_ids = footer_page_ids(SiteFooter.for_request(request)) if request else []
        in_menu = root.get_children().in_menu().values("pk")
        found = list(
            public(Page.objects.live().filter(Q(pk__in=in_menu) | Q(pk__in=footer_ids))).order_by(
                "path"
            )
        )
        remember_live_pages(request, footer_ids, found)
        pages = [
            page
            for page in found
            if page.show_in_menus
            and page.depth == root.depth + 1
            and page.path.startswith(root.path)
        ]
    return {
        "items": [entry(page.get_url(request), page.title, page) for page in pages],
        "donate_url": _donate_url(request),
    }


def _donate_url(request) -> str:
    """The fundraising provider's page (footer setting), or "" to show no Donate link.
    ``for_request`` is kept on the request, so the footer's own use costs no more."""
    return SiteFooter.for_request(request).donate_url if request else ""


def footer_page_ids(footer) -> list[int]:
    """The pages the footer links to: its links' pages, the privacy notice and the
    accessibility statement."""
    ids = [(block.get("value") or {}).get("page") for block in footer.links.raw_data]
    ids += [footer.privacy_page_id, footer.accessibility_page_id]
    return [page_id for page_id in ids if page_id]


def live_public_pages(request, ids: list[int]) -> dict:
    """``{id: page}`` for those of ``ids`` that are live and public, in one query, kept on
    the request so the menu and the footer of one page share it."""
    known = dict(getattr(request, "thet_live_pages", None) or {})
    missing = [page_id for page_id in dict.fromkeys(ids) if page_id not in known]
    if missing:
        found = {page.pk: page for page in public(Page.objects.live().filter(pk__in=missing))}
        known.update({page_id: found.get(page_id) for page_id in missing})
        remember_live_pages(request, missing, found.values())
    return {page_id: known[page_id] for page_id in ids if known.get(page_id) is not None}


def remember_live_pages(request, ids: list[int], found) -> None:
    """Note on the request which of ``ids`` are live and public (``found``: those pages)."""
    if request is None:
        return
    known = getattr(request, "thet_live_pages", None)
    if known is None:
        known = request.thet_live_pages = {}
    by_pk = {page.pk: page for page in found}
    known.update({page_id: by_pk.get(page_id) for page_id in ids})


@register.simple_tag(takes_context=True)
def footer_links(context, footer):
    """The footer's links, then its privacy notice and accessibility statement: each
    ``{"href", "label"}``, pages only while live and public; one query for them all."""
    request = context.get("request")
    wanted = []  # (page id or None, url, label)
    for block in footer.links.raw_data:
        value = block.get("value") or {}
        wanted.append((value.get("page"), value.get("url") or "", value.get("label") or ""))
    for page_id in (footer.privacy_page_id, footer.accessibility_page_id):
        if page_id:
            wanted.append((page_id, "", ""))
    ids = [page_id for page_id, _, _ in wanted if page_id]
    pages = live_public_pages(request, ids)
    links = []
    for page_id, url, label in wanted:
        page = pages.get(page_id)
        if page is not None:
            links.append({"href": page.get_url(request), "label": label or page.title})
        elif not page_id and url and label:
            links.append({"href": url, "label": label})
    return links


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


SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?=\s|$)")
CLAUSE_END = re.compile(r"[,;:](?=\s)|\s[–—](?=\s)")


@register.filter
def summary_words(text, limit=40) -> str:
    """A card's summary in at most ``limit`` words, ending where a sentence or phrase
    ends, never in the middle of one (``truncatewords`` cuts after the nth word, e.g.
    "across Africa, parts of …"). Whole sentences when they fit in the first half or
    more; else up to the last comma, semicolon, colon or dash, with "…"; only a text with
    neither is cut after a word."""
    words = str(text or "").split()
    if len(words) <= int(limit):
        return " ".join(words)
    head = " ".join(words[: int(limit)])
    enough = len(head) // 2
    sentences = [m.end() for m in SENTENCE_END.finditer(head) if m.end() >= enough]
    if sentences:
        return head[: sentences[-1]]
    clauses = [m.start() for m in CLAUSE_END.finditer(head) if m.start() >= enough]
    if clauses:
        return head[: clauses[-1]].rstrip() + "…"
    return head.rstrip(",;:–—") + "…"
