"""Sidebar entries that say what they hold.

Wagtail's sidebar lists the page tree under "Pages" only; editors look for "Projects" and
"Publications". ``explorer_shortcut`` gives a feature app a sidebar entry that opens the
page explorer at the (single) page of a type, e.g. the project listing, so editors reach
the projects themselves in one click.
"""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.auth import require_admin_access
from wagtail.admin.menu import MenuItem

# Wagtail's own "Reports" menu holds admin reports (locked pages, site history...), not
# THET's published reports: name it so the two cannot be mistaken.
ADMIN_REPORTS_LABEL = "Admin reports"


def explorer_shortcut(name: str, label: str, model, icon: str, order: int) -> None:
    """Register ``/admin/go/<name>/`` and a sidebar item ``label`` that lead to the
    explorer listing the children of the first ``model`` page."""
    url_name = f"thet_go_{name}"

    def go(request):
        page = model.objects.first()
        if page is None:
            raise Http404(f"There is no {model._meta.verbose_name} yet.")
        return redirect("wagtailadmin_explore", page.pk)

    hooks.register(
        "register_admin_urls",
        lambda: [path(f"go/{name}/", require_admin_access(go), name=url_name)],
    )
    hooks.register(
        "register_admin_menu_item",
        lambda: MenuItem(label, reverse(url_name), name=name, icon_name=icon, order=order),
    )


@hooks.register("construct_main_menu")
def name_wagtails_reports_menu(request, menu_items):
    for item in menu_items:
        if item.name == "reports":
            item.label = ADMIN_REPORTS_LABEL
