"""Log in with a username, a NIK or a phone number in the same field, and the lockout page.

The account layer may not import the participant registry, so a NIK is found through the
reverse relation `User.participant` (a lookup by name, no import) and phone numbers are
normalised by the callable named in the setting PORTAL_PHONE_NORMALISER (the registry's
normaliser, so that `0812...`, `+62 812...` and `62-812-...` are the same number everywhere).
"""

import math
import re

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import User

# Spaces (also non-breaking), dots and dashes people type inside a NIK.
_NIK_SEPARATORS = re.compile(r"[\s.\-\u00a0]")


def _normalise_phone(text):
    path = getattr(settings, "PORTAL_PHONE_NORMALISER", "")
    if not path:
        return None
    return import_string(path)(text)


def _nik(text):
    digits = _NIK_SEPARATORS.sub("", text)
    return digits if len(digits) == 16 and digits.isascii() and digits.isdigit() else None


def user_for_identifier(identifier):
    """The one user a username, NIK or phone number names, or None.

    A username wins; then a NIK (16 digits, separators allowed); then a phone number, which
    names an account only when exactly one account holds it and it is not a guardian's number
    (a parent's phone shared by siblings logs no one in).
    """
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = User._default_manager.filter(username=identifier).first()
    if user is not None:
        return user
    nik = _nik(identifier)
    if nik:
        return User._default_manager.filter(participant__nik=nik).first()
    if not re.search(r"\d{6}", re.sub(r"\D", "", identifier)):
        return None
    phone = _normalise_phone(identifier)
    if not phone:
        return None
    matches = list(
        User._default_manager.filter(
            Q(phone=phone) | Q(participant__phone=phone) | Q(participant__second_phone=phone)
        )
        .distinct()
        .values_list("pk", "participant__phone", "participant__phone_is_guardian")[:3]
    )
    if len({pk for pk, _phone, _guardian in matches}) != 1:
        return None
    pk, participant_phone, guardian = matches[0]
    if guardian and participant_phone == phone:
        return None
    return User._default_manager.get(pk=pk)


class PortalBackend(ModelBackend):
    """Username, NIK or phone number (when no one else shares it) with the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = user_for_identifier(username)
        if user is None:
            # As ModelBackend: spend the hashing time anyway, so timing tells nothing.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials):
    """The account's username for django-axes, so that typing the NIK, the phone number or the
    username counts against the same account."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    user = user_for_identifier(typed)
    return user.get_username() if user is not None else typed.strip()


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with status 429, saying how long to wait (django-axes)."""
    from axes.helpers import get_cool_off

    from .forms import LoginForm

    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else None
    if minutes:
        message = ngettext(
            "Too many failed attempts. Wait %(minutes)d minute, then try again.",
            "Too many failed attempts. Wait %(minutes)d minutes, then try again.",
            minutes,
        ) % {"minutes": minutes}
    else:
        message = _("Too many failed attempts. Ask your programme officer to unlock your account.")
    context = {"form": LoginForm(request), "locked_message": message, "next": ""}
    return render(request, "accounts/login.html", context, status=429)
