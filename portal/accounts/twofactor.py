"""Two-factor authentication (TOTP, django-otp) for ministry admins and officers.

After the password, a ministry user without a confirmed device sets one up (QR code drawn here as
inline SVG, or the key typed by hand) and confirms it with a code; one with a device types a code.
`TwoFactorMiddleware` keeps every other page closed until then, when PORTAL_REQUIRE_2FA is on.
The functions at the top hold the state changes; the views below only call them.
"""

import base64
import logging

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

DEVICE_NAME = "Portal Migran"


# State changes ------------------------------------------------------------------------------


def pending_device(*, user):
    """The user's unconfirmed TOTP device being set up, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def device_confirm(*, user, code):
    """Confirm the pending device with a code from the app; returns it, or None if wrong."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    logger.info("User %s confirmed a two-factor device", user.pk)
    return device


def code_check(*, user, code):
    """The user's confirmed device that accepts `code`, or None (wrong code or throttled)."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


def devices_reset(*, users, actor):
    """Remove every TOTP device of `users` (recovery by a ministry admin); returns how many."""
    count, _detail = TOTPDevice.objects.filter(user__in=users).delete()
    for user in users:
        logger.info("User %s reset the two-factor device of user %s", actor.pk, user.pk)
    return count


def manual_key(device):
    """The secret in base32, in groups of four, for typing into an app by hand."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device):
    """The device's otpauth:// address as an inline SVG QR code (no request leaves the page)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, light="#fff", title=gettext("QR code for your authenticator app")
    )
    # segno's own SVG of an address built by django-otp; its title is escaped by segno.
    return mark_safe(svg)  # noqa: S308


# Views --------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=20,
        error_messages={"invalid": _("Type the 6 digits shown in your app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "home"


def _wrong_code(form):
    form.add_error(
        "code",
        gettext(
            "This code is not right, or was used already. Wait for the next code; after several "
            "wrong codes you must wait a little longer."
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def twofactor_setup(request):
    """Show the QR code and key of a new device; a correct code confirms it and verifies."""
    if user_has_device(request.user):
        return redirect("twofactor_verify")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = device_confirm(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        _wrong_code(form)
    device = pending_device(user=request.user)
    context = {
        "form": form,
        "qr": qr_svg(device),
        "key": manual_key(device),
        "next": _next_url(request) if _next_url(request) != "home" else "",
    }
    return render(request, "accounts/twofactor_setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def twofactor_verify(request):
    """Ask for a code from the confirmed device."""
    if not user_has_device(request.user):
        return redirect("twofactor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = code_check(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        _wrong_code(form)
    context = {"form": form, "next": _next_url(request) if _next_url(request) != "home" else ""}
    return render(request, "accounts/twofactor_verify.html", context)
