from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from sitewide import twofactor


@hooks.register("register_admin_urls")
def two_factor_urls():
    return twofactor.urls()


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def two_factor_staff_menu_item():
    return SuperuserMenuItem(
        "Two-factor sign-in", reverse("twofactor_staff"), icon_name="key", order=900
    )
