"""Two-factor sign-in for everyone who can publish: django-otp, with thin admin views.

Who: every account that can use the admin (superusers and the three roles; each of them
can put something in front of the public: pages, publications through sign-off, files).
When: always, if ``REQUIRE_2FA`` is on (the default when ``DEBUG`` is off).

How it runs:

* Step one is Wagtail's own sign-in (username and password, locked out by django-axes
  as before).
* ``RequireTwoFactorMiddleware`` then keeps the account to this module's pages until the
  session is verified: an account without an authenticator sets one up (a TOTP key shown
  as a QR code and as text, confirmed by a code from the app) and gets ten single-use
  recovery codes, shown once; an account with one types a code from the app or a
  recovery code. django-otp's devices check the codes (``TOTPDevice``, ``StaticDevice``)
  and throttle guessing on each device.
* Step two counts towards the same django-axes lockout: a wrong code is reported as a
  failed sign-in from the visitor's address, and a locked-out address is signed out and
  shown the lockout page, whichever step it is on.
* A superuser can reset a member of staff's lost authenticator (Settings → Two-factor
  sign-in); that account then sets up a new one at its next sign-in.
"""

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def must_use_2fa(user) -> bool:
    """Whether the account must sign in with a second factor (anyone who can use the
    admin, while ``REQUIRE_2FA`` is on)."""
    if not getattr(settings, "REQUIRE_2FA", False):
        return False
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.has_perm("wagtailadmin.access_admin")


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def safe_next(request, default=None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse("wagtailadmin_home")


class RequireTwoFactorMiddleware:
    """Keep a signed-in account that must use a second factor to the 2FA pages (and
    signing out) until its session is verified. After django-otp's ``OTPMiddleware``.
    Outside the admin, such a session counts as no staff (``is_verified_staff``): an
    embargoed document stays held for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and request.path.startswith("/admin/")
            and must_use_2fa(user)
            and not user.is_verified()
            and not request.path.startswith(self.open_paths())
        ):
            step = "twofactor_verify" if has_authenticator(user) else "twofactor_setup"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(step)}?{query}")
        return self.get_response(request)

    @staticmethod
    def open_paths() -> tuple[str, ...]:
        return (
            reverse("twofactor_setup"),
            reverse("twofactor_verify"),
            reverse("wagtailadmin_logout"),
            # What the admin's page skeleton loads: its icons and translations.
            reverse("wagtailadmin_sprite"),
            reverse("wagtailadmin_javascript_catalog"),
        )


# --- Step two: a code, counted by django-axes -----------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        strip=True,
        help_text="The 6-digit code your authenticator app shows now, or one of your "
        "recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def __init__(self, *args, setting_up=False, **kwargs):
        super().__init__(*args, **kwargs)
        if setting_up:
            self.fields["code"].help_text = "The 6-digit code the app shows now."

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def axes_credentials(user) -> dict:
    return {"username": user.get_username()}


def locked_out(request, user):
    """Signed out and shown django-axes' lockout page: too many failures from here."""
    credentials = axes_credentials(user)
    logout(request)
    return get_lockout_response(request, credentials=credentials)


def report_failure(request, user) -> None:
    """A wrong code is a failed sign-in for django-axes, like a wrong password."""
    AxesProxyHandler.update_request(request)
    user_login_failed.send(sender=__name__, credentials=axes_credentials(user), request=request)


def wrong_code_message(user, setting_up=False) -> str:
    """Why a code was refused. django-otp makes a device wait longer after each wrong
    code (1, 2, 4... seconds) and meanwhile refuses even the right one: say so."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
    allowed, _ = device.verify_is_allowed() if device else (True, None)
    if not allowed:
        return (
            "That code is not right, and after a wrong code the next one must wait a "
            "little: try again in a few seconds."
        )
    if setting_up:
        return "That code is not right: type the 6 digits the app shows now."
    return "That code is not right. Check the time on your phone, or use a recovery code."


def verify(request):
    user = request.user
    if not must_use_2fa(user) or user.is_verified():
        return redirect(safe_next(request))
    if not has_authenticator(user):
        return redirect(f"{reverse('twofactor_setup')}?{urlencode({'next': safe_next(request)})}")
    if AxesProxyHandler.is_locked(request, axes_credentials(user)):
        return locked_out(request, user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. If you have lost "
                    "your authenticator, ask a superuser to reset it.",
                )
            return redirect(safe_next(request))
        report_failure(request, user)
        if AxesProxyHandler.is_locked(request, axes_credentials(user)):
            return locked_out(request, user)
        form.add_error("code", wrong_code_message(user))
    return TemplateResponse(
        request, "twofactor/verify.html", {"form": form, "next": safe_next(request)}
    )


# --- Setting up an authenticator --------------------------------------------------------


def qr_code_data_uri(text: str) -> str:
    """The text as an SVG QR code in a data: URI (the admin's CSP allows data: images)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)


def setup(request):
    user = request.user
    if not must_use_2fa(user):
        return redirect(safe_next(request))
    if has_authenticator(user):
        # One authenticator per account: a new one only after a superuser's reset.
        return redirect(f"{reverse('twofactor_verify')}?{urlencode({'next': safe_next(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by(
        "pk"
    ).first() or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    if AxesProxyHandler.is_locked(request, axes_credentials(user)):
        return locked_out(request, user)
    form = CodeForm(request.POST or None, setting_up=True)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = confirm(user, device)
            django_otp.login(request, device)
            return TemplateResponse(
                request,
                "twofactor/recovery_codes.html",
                {"codes": codes, "next": safe_next(request)},
            )
        report_failure(request, user)
        if AxesProxyHandler.is_locked(request, axes_credentials(user)):
            return locked_out(request, user)
        form.add_error("code", wrong_code_message(user, setting_up=True))
    return TemplateResponse(
        request,
        "twofactor/setup.html",
        {
            "form": form,
            "key_base32": b32encode(device.bin_key).decode(),
            "qr_code": qr_code_data_uri(device.config_url),
            "next": safe_next(request),
        },
    )


@transaction.atomic
def confirm(user, device) -> list[str]:
    """Confirm the authenticator and issue fresh recovery codes (returned, shown once)."""
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return codes


# --- A superuser resets a lost authenticator --------------------------------------------


def superuser_only(request):
    if not request.user.is_superuser:
        raise PermissionDenied


def staff(request):
    """Every account that can use the admin, and whether it has an authenticator."""
    superuser_only(request)
    User = get_user_model()
    with_app = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    accounts = [
        {"user": account, "has_authenticator": account.pk in with_app}
        for account in User.objects.filter(is_active=True).order_by(User.USERNAME_FIELD)
        if account.is_superuser or account.has_perm("wagtailadmin.access_admin")
    ]
    return TemplateResponse(request, "twofactor/staff.html", {"accounts": accounts})


@require_POST
def reset(request, user_id):
    superuser_only(request)
    account = get_object_or_404(get_user_model(), pk=user_id)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=account).delete()
        StaticDevice.objects.filter(user=account).delete()
    messages.success(
        request,
        f"{account.get_username()}'s authenticator and recovery codes are reset: they set "
        "up a new authenticator when they next sign in.",
    )
    return redirect("twofactor_staff")


def urls():
    return [
        path("2fa/setup/", setup, name="twofactor_setup"),
        path("2fa/verify/", verify, name="twofactor_verify"),
        path("2fa/staff/", staff, name="twofactor_staff"),
        path("2fa/staff/<int:user_id>/reset/", reset, name="twofactor_reset"),
    ]
